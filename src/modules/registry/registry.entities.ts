import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { binary, json, timestamp } from '../../database/column-types';
import { encrypted } from '../../common/crypto/pii';
import { WithId } from '../../database/with-id';

export type HouseholdImportStatus = 'queued' | 'running' | 'completed' | 'failed';

/** What became of the rows of a household import (one row = one member). */
export interface HouseholdImportCounts {
  /** households new to the registry */
  householdsCreated: number;
  /** households already registered whose record or members changed */
  householdsChanged: number;
  /** a member new to the registry */
  created: number;
  /** a registered member whose fields changed */
  updated: number;
  /** a registered member now listed in another household: moved there */
  moved: number;
  /** a registered member as the registry already has it */
  unchanged: number;
  /** refused: check digit, gender or birth-date digits, village, missing fields */
  invalid: number;
  /** refused: the same person in two households of the file, or twice in one */
  conflict: number;
  /** a full export only (issue 19): registered members of its villages missing from it, recorded as moved away */
  left?: number;
  /** a full export only: registered households of its villages missing from it whole (kept: 销户 is the township's) */
  householdsAbsent?: number;
  /** a full export only: why no departures were recorded (a row of the file was refused) */
  fullExportSkipped?: string | null;
}

export const EMPTY_HOUSEHOLD_COUNTS: HouseholdImportCounts = {
  householdsCreated: 0,
  householdsChanged: 0,
  created: 0,
  updated: 0,
  moved: 0,
  unchanged: 0,
  invalid: 0,
  conflict: 0,
};

/**
 * A registry export (防返贫监测信息系统 户/人员 表) uploaded by a county user or an admin: kept whole
 * so any instance's worker processes it, resumable from `rowsDone` (each chunk of households
 * commits with its progress in one transaction).
 */
@Entity('household_imports')
export class HouseholdImportEntity extends WithId {
  /** the uploader's area (null: an admin, every area) */
  @Index('IDX_household_imports_area') @Column({ type: 'varchar', length: 12, nullable: true }) areaCode: string | null;
  @Column({ type: 'varchar', length: 255 }) fileName: string;
  @Column({ type: 'varchar', length: 10 }) format: string;
  @Index('IDX_household_imports_sha') @Column({ type: 'varchar', length: 64 }) sha256: string;
  @Column({ type: 'integer' }) size: number;
  @Column(binary({ select: false })) content: Buffer;
  @Index('IDX_household_imports_status') @Column({ type: 'varchar', length: 12 }) status: HouseholdImportStatus;
  @Column({ type: 'integer', nullable: true }) rowsTotal: number | null;
  @Column({ type: 'integer', default: 0 }) rowsDone: number;
  @Column(json()) counts: HouseholdImportCounts;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) sameFileAs: string | null;
  /** issue 19: the uploader declared the file the full export of its villages (members missing from it have left) */
  @Column({ type: 'boolean', default: false }) fullExport: boolean;
  @Column({ type: 'varchar', length: 36 }) uploadedById: string;
  @Column({ type: 'varchar', length: 64 }) uploadedByUsername: string;
  @Column({ type: 'varchar', length: 20 }) uploadedByRole: string;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
  @Column(timestamp({ nullable: true })) startedAt: Date | null;
  @Column(timestamp({ nullable: true })) finishedAt: Date | null;
}

/** left / absent: report lines of a full export for registered members it does not list (issue 19) */
export type HouseholdRowOutcome = 'created' | 'updated' | 'moved' | 'unchanged' | 'invalid' | 'conflict' | 'left' | 'absent';

/** One row of a household import: the per-row report. */
@Entity('household_import_rows')
export class HouseholdImportRowEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) importId: string;
  /** 1-based data row (the header is row 0) */
  @PrimaryColumn({ type: 'integer' }) rowNumber: number;
  @Column({ type: 'varchar', length: 40 }) householdCode: string;
  /** as read from the file, encrypted at rest (issue 11) */
  @Column({ type: 'varchar', length: 200, transformer: encrypted }) idNumber: string;
  @Column({ type: 'varchar', length: 50 }) name: string;
  @Column({ type: 'varchar', length: 12, nullable: true }) villageCode: string | null;
  @Column({ type: 'varchar', length: 12 }) outcome: HouseholdRowOutcome;
  @Column(json({ nullable: true })) errors: string[] | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) householdId: string | null;
  /** moved: the household the member left */
  @Column({ type: 'varchar', length: 36, nullable: true }) fromHouseholdId: string | null;
}

export type RegistryAlertKind = 'post_holder_away' | 'household_members_away' | 'post_holder_never_age' | 'post_holder_left' | 'inclusion_lead' | 'household_size_changed' | 'verification_outdated';

/**
 * Work a registry change created (issue 13): a standing rule the change broke, for whoever must
 * act (the township for a post, the village for a lead), with the case to act on.
 */
@Entity('registry_alerts')
@Index('IDX_registry_alerts_open', ['status', 'areaCode'])
export class RegistryAlertEntity extends WithId {
  @Column({ type: 'varchar', length: 30 }) kind: RegistryAlertKind;
  @Index('IDX_registry_alerts_household') @Column({ type: 'varchar', length: 36 }) householdId: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) memberId: string | null;
  /** where the one who must act works */
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  /** the role that must act */
  @Column({ type: 'varchar', length: 20 }) role: string;
  /** the case to act on (a hiring case to terminate, the lead opened, a monitoring inclusion) */
  @Index('IDX_registry_alerts_case') @Column({ type: 'varchar', length: 36, nullable: true }) caseId: string | null;
  /** the household version whose change raised it */
  @Column({ type: 'integer' }) householdVersion: number;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'text' }) message: string;
  @Column(json()) data: Record<string, any>;
  /** open | resolved */
  @Column({ type: 'varchar', length: 10 }) status: string;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp({ nullable: true })) resolvedAt: Date | null;
}

export const REGISTRY_ENTITIES = [HouseholdImportEntity, HouseholdImportRowEntity, RegistryAlertEntity];
