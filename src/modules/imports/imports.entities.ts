import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { binary, json, timestamp } from '../../database/column-types';
import { encrypted } from '../../common/crypto/pii';
import { WithId } from '../../database/with-id';

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ImportCounts {
  /** a monitoring-inclusion case was opened (channel department_alert) */
  opened: number;
  /** the household is already a monitoring object in monitoring */
  alreadyMonitored: number;
  /** the household already has an open inclusion case (also one opened by this or an earlier import) */
  openCase: number;
  /** a valid row whose ID number is no member of a household in the uploader's area */
  unmatched: number;
  /** a row that failed validation (ID check digit, area, source) */
  invalid: number;
  /** the same ID number appeared earlier in this file */
  duplicate: number;
}

export const EMPTY_COUNTS: ImportCounts = { opened: 0, alreadyMonitored: 0, openCase: 0, unmatched: 0, invalid: 0, duplicate: 0 };

/**
 * A department's alert list (部门筛查预警名单), kept whole in the database so that any instance's
 * worker can process it and a crash resumes it from `rowsDone` (each chunk of rows commits with
 * its cases and its progress in one transaction).
 */
@Entity('alert_imports')
export class AlertImportEntity extends WithId {
  /** the uploader's area: who may see the import, and which rows may be in it */
  @Index() @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 30 }) source: string;
  @Column({ type: 'varchar', length: 255 }) fileName: string;
  @Column({ type: 'varchar', length: 10 }) format: string;
  @Index() @Column({ type: 'varchar', length: 64 }) sha256: string;
  @Column({ type: 'integer' }) size: number;
  @Column(binary({ select: false })) content: Buffer;
  @Index() @Column({ type: 'varchar', length: 12 }) status: ImportStatus;
  @Column({ type: 'integer', nullable: true }) rowsTotal: number | null;
  @Column({ type: 'integer', default: 0 }) rowsDone: number;
  @Column(json()) counts: ImportCounts;
  /** why the whole file was refused (unreadable, no ID column, …) */
  @Column({ type: 'text', nullable: true }) error: string | null;
  /** an earlier import of the very same file, if any */
  @Column({ type: 'varchar', length: 36, nullable: true }) sameFileAs: string | null;
  @Column({ type: 'varchar', length: 36 }) uploadedById: string;
  @Column({ type: 'varchar', length: 64 }) uploadedByUsername: string;
  @Column({ type: 'varchar', length: 20 }) uploadedByRole: string;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
  @Column(timestamp({ nullable: true })) startedAt: Date | null;
  @Column(timestamp({ nullable: true })) finishedAt: Date | null;
}

export type RowOutcome = 'opened' | 'already_monitored' | 'open_case' | 'unmatched' | 'invalid' | 'duplicate';

/** The outcome of one row of an import: the report, and the lists the SF-01 detector reads. */
@Entity('alert_import_rows')
@Index(['householdId'])
export class AlertImportRowEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) importId: string;
  /** 1-based data row (the header is row 0) */
  @PrimaryColumn({ type: 'integer' }) rowNumber: number;
  /** as read from the file, encrypted at rest (issue 11) */
  @Column({ type: 'varchar', length: 200, transformer: encrypted }) idNumber: string;
  @Column({ type: 'varchar', length: 50 }) name: string;
  @Column({ type: 'varchar', length: 20 }) areaCode: string;
  @Column({ type: 'varchar', length: 30 }) source: string;
  @Column({ type: 'varchar', length: 20 }) outcome: RowOutcome;
  /** validation problems, as stable codes */
  @Column(json({ nullable: true })) errors: string[] | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) householdId: string | null;
  /** the household's village (matched rows), for the match rate per village */
  @Column({ type: 'varchar', length: 12, nullable: true }) villageCode: string | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) caseId: string | null;
}

export const IMPORT_ENTITIES = [AlertImportEntity, AlertImportRowEntity];
