import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { json, timestamp } from './column-types';
import { encrypted, sealedPhones } from '../common/crypto/pii';
import { WELFARE_POST_ENTITIES } from '../modules/welfare-posts/welfare-posts.entities';
import { PROJECT_ENTITIES } from '../modules/project-intake/project.entity';
import { IMPLEMENTATION_ENTITIES } from '../modules/project-implementation/implementation.entities';
import { IMPORT_ENTITIES } from '../modules/imports/imports.entities';
import { NOTIFICATION_ENTITIES } from '../modules/notifications/notifications.entities';
import { LoginEventEntity } from '../modules/auth/login-events.entity';
import { PersonalDataReadEntity } from '../modules/households/personal-data-reads';
import { AUDIT_ENTITIES } from '../modules/audit/audit.entities';
import { RECTIFICATION_ENTITIES } from '../modules/rectification/rectification.entities';
import { PolicyLedgerEntryEntity } from '../modules/policies/policy-ledger';
import { REGISTRY_ENTITIES } from '../modules/registry/registry.entities';

import { WithId } from './with-id';

export { WithId };

@Entity('areas')
export class AreaEntity {
  @PrimaryColumn({ type: 'varchar', length: 12 }) code: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 10 }) level: string;
  @Index() @Column({ type: 'varchar', length: 12, nullable: true }) parentCode: string | null;
  @Column(timestamp()) createdAt: Date;
}

@Entity('users')
export class UserEntity extends WithId {
  @Index({ unique: true }) @Column({ type: 'varchar', length: 64 }) username: string;
  @Column({ type: 'varchar', length: 255 }) passwordHash: string;
  @Column({ type: 'varchar', length: 100 }) displayName: string;
  @Column({ type: 'varchar', length: 20 }) role: string;
  /** null: global (the bootstrap admin) */
  @Index() @Column({ type: 'varchar', length: 12, nullable: true }) areaCode: string | null;
  @Column({ type: 'varchar', length: 30, nullable: true }) sector: string | null;
  @Column({ type: 'boolean', default: false }) disabled: boolean;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
  /** 退出登录 (issue 20): tokens issued at or before this instant are refused */
  @Column(timestamp({ nullable: true })) tokensEndedAt: Date | null;
}

@Entity('policy_versions')
@Index(['areaCode', 'version'], { unique: true })
export class PolicyVersionEntity extends WithId {
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'integer' }) version: number;
  @Column(timestamp()) effectiveFrom: Date;
  @Column(json()) values: Record<string, any>;
  @Column({ type: 'varchar', length: 36, nullable: true }) createdById: string | null;
  @Column(timestamp()) createdAt: Date;
}

@Entity('households')
export class HouseholdEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 50 }) householderName: string;
  @Column({ type: 'varchar', length: 200 }) address: string;
  @Column({ type: 'boolean', default: false }) isFormerlyPoor: boolean;
  /** 户编号 of the national registry export, when the household came from one (issue 13) */
  @Index('UQ_households_code', { unique: true }) @Column({ type: 'varchar', length: 30, nullable: true }) householdCode: string | null;
  /** 联系电话 of the household: encrypted at rest (issue 11) */
  @Column({ type: 'varchar', length: 200, nullable: true, transformer: encrypted }) phone: string | null;
  /** issue 13: raised by every change, equal to the length of its history chain (0: none recorded yet) */
  @Column({ type: 'integer', default: 0 }) version: number;
  @Column({ type: 'varchar', length: 36, nullable: true }) createdById: string | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}

@Entity('household_members')
export class HouseholdMemberEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) householdId: string;
  @Column({ type: 'integer' }) position: number;
  @Column({ type: 'varchar', length: 50 }) name: string;
  /** encrypted at rest (issue 11): never in a WHERE, look up by {@link idNumberHash} */
  @Column({ type: 'varchar', length: 200, transformer: encrypted }) idNumber: string;
  /** HMAC-SHA-256 of the ID number (`piiHash`): lookups, the one-person-one-row unique index, upserts */
  @Index('UQ_household_members_idNumberHash', { unique: true }) @Column({ type: 'varchar', length: 64 }) idNumberHash: string;
  @Column({ type: 'varchar', length: 20 }) relation: string;
  @Column({ type: 'varchar', length: 10 }) gender: string;
  @Column({ type: 'varchar', length: 10 }) birthDate: string;
  @Column({ type: 'varchar', length: 10 }) laborAbility: string;
  @Column(json({ nullable: true })) disability: { category: string; level: number } | null;
  @Column({ type: 'varchar', length: 10 }) employment: string;
  @Column({ type: 'varchar', length: 200, nullable: true, transformer: encrypted }) phone: string | null;
}

@Entity('monitoring_objects')
export class MonitoringObjectEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) householdId: string;
  @Index() @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 30 }) monitoringType: string;
  @Column(json()) riskTypes: string[];
  @Column({ type: 'varchar', length: 10 }) startDate: string;
  /** the phone encrypted at rest (issue 19) */
  @Column(json({ transformer: sealedPhones })) assistanceContact: { name: string; unit: string; phone: string };
  @Index() @Column({ type: 'varchar', length: 20 }) status: string;
  @Column({ type: 'varchar', length: 36 }) inclusionCaseId: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) previousMonitoringObjectId: string | null;
  @Column(json()) verification: Record<string, any>;
  /** 风险消除: when, how (assisted 帮扶消除 / natural 自然消除) and by which case */
  @Column(timestamp({ nullable: true })) eliminatedAt: Date | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) eliminationType: string | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) eliminationCaseId: string | null;
  /** 风险回退 (SF-10): the last rollback, linked to the elimination case it reversed */
  @Column(timestamp({ nullable: true })) rolledBackAt: Date | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) rollbackCaseId: string | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}

/** 帮扶措施 recorded for a monitoring object; the evidence of "有帮扶" (SF-03, SF-11). */
@Entity('assistance_measures')
export class AssistanceMeasureEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) monitoringObjectId: string;
  @Index() @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 30 }) type: string;
  @Column({ type: 'text' }) description: string;
  /** the day the measure took effect */
  @Column({ type: 'varchar', length: 10 }) date: string;
  /** the risks this measure addresses */
  @Column(json()) riskTypes: string[];
  @Column({ type: 'varchar', length: 36 }) recordedById: string;
  @Column(timestamp()) recordedAt: Date;
}

/** Per-capita net income as computed at each verification or monitoring visit (SF-05, SF-09). */
@Entity('income_records')
export class IncomeRecordEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) householdId: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) caseId: string | null;
  @Column(json()) record: Record<string, any>;
  @Column({ type: 'double precision' }) perCapitaNetIncome: number;
  @Column({ type: 'double precision' }) incomeLine: number;
  @Column({ type: 'boolean' }) guaranteesSecure: boolean;
  /** the stated day of the visit (issue 12: bounded by records.maxBackdate); recordedAt is when it was entered */
  @Column({ type: 'varchar', length: 10 }) visitDate: string;
  @Column({ type: 'varchar', length: 36 }) recordedById: string;
  @Index() @Column(timestamp()) recordedAt: Date;
}

/**
 * Indexes (issue 21): every step rewrites the row, and `state` and `updatedAt` are indexed, so no
 * update is HOT and each index the new version falls into costs an entry. Only what a read needs
 * is indexed, and partially where the reads are: batches, deadlines of open cases, open notices.
 * The lists' own indexes are the migrations' (ListIndexes, PostgreSQL); areaCode alone is served
 * there by IDX_cases_area_updated ("areaCode" varchar_pattern_ops: = and LIKE 'prefix%').
 */
@Entity('cases')
/** one open inclusion case per household, whoever opens it (a village, a department, an import) */
@Index('UQ_cases_open_inclusion', ['subjectId'], { unique: true, where: `"procedure" = 'monitoring-inclusion' AND "closedAt" IS NULL` })
@Index('IDX_cases_batch', ['batchId'], { where: `"batchId" IS NOT NULL` })
/** overdue reminders and overdue lists without an area */
@Index('IDX_cases_open_deadline', ['deadlineAt'], { where: `"closedAt" IS NULL AND "deadlineAt" IS NOT NULL` })
/** the public notice board */
@Index('IDX_cases_open_notice_ends', ['noticeEndsAt'], { where: `"closedAt" IS NULL AND "noticeEndsAt" IS NOT NULL` })
export class CaseEntity extends WithId {
  @Column({ type: 'varchar', length: 40 }) procedure: string;
  @Column({ type: 'varchar', length: 40 }) machineId: string;
  @Column({ type: 'integer' }) machineVersion: number;
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'varchar', length: 40 }) state: string;
  /** phones inside encrypted at rest (issue 19) */
  @Column(json({ transformer: sealedPhones })) snapshot: { value: any; context: Record<string, any> };
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 20 }) subjectType: string;
  @Index() @Column({ type: 'varchar', length: 36 }) subjectId: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) batchId: string | null;
  @Column(json()) policyVersionIds: string[];
  @Column({ type: 'varchar', length: 200 }) policyVersion: string;
  /** hash of the latest audit entry (seq = version) */
  @Column({ type: 'varchar', length: 64 }) auditHead: string;
  @Index() @Column({ type: 'varchar', length: 36 }) createdById: string;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
  @Column(timestamp({ nullable: true })) closedAt: Date | null;
  @Column(timestamp({ nullable: true })) deadlineAt: Date | null;
  @Column(timestamp({ nullable: true })) noticeStartsAt: Date | null;
  @Column(timestamp({ nullable: true })) noticeEndsAt: Date | null;
}

/** Append-only: database triggers refuse UPDATE and DELETE (see the migrations). */
@Entity('audit_entries')
/** 已办 (GET /tasks/done): the cases a user acted on, from the index alone */
@Index('IDX_audit_entries_actor_case', ['actorId', 'caseId'])
export class AuditEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) caseId: string;
  @PrimaryColumn({ type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 40 }) event: string;
  @Column({ type: 'varchar', length: 40, nullable: true }) fromState: string | null;
  @Column({ type: 'varchar', length: 40 }) toState: string;
  @Column({ type: 'varchar', length: 36 }) actorId: string;
  @Column({ type: 'varchar', length: 64 }) actorUsername: string;
  @Column({ type: 'varchar', length: 20 }) actorRole: string;
  @Column(timestamp()) at: Date;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  /** phones inside encrypted at rest (issue 19); the hash covers the clear data */
  @Column(json({ transformer: sealedPhones })) data: Record<string, any>;
  @Column(json()) evidence: Array<{ id: string; type: string; sha256: string }>;
  @Column({ type: 'varchar', length: 200 }) policyVersion: string;
  @Column({ type: 'varchar', length: 64 }) prevHash: string;
  @Column({ type: 'varchar', length: 64 }) hash: string;
  /** issue 13: the version of the case's household the step was judged on (hashed when set) */
  @Column({ type: 'integer', nullable: true }) householdVersion: number | null;
}

/**
 * Append-only (issue 12): triggers refuse DELETE and any UPDATE but the first link to a case
 * (`caseId`, `usedInSeq` from NULL to a value), see the migration RecordLedger.
 */
@Entity('evidence')
/** a batch's files (most files have none); sha256 is looked up only with its type (the migrations' IDX_evidence_sha256_type_used, on PostgreSQL IDX_evidence_sha256_type) */
@Index('IDX_evidence_batch', ['batchId'], { where: `"batchId" IS NOT NULL` })
export class EvidenceEntity extends WithId {
  @Column({ type: 'varchar', length: 40 }) type: string;
  @Column({ type: 'varchar', length: 64 }) sha256: string;
  @Column({ type: 'integer' }) size: number;
  @Column({ type: 'varchar', length: 100 }) mimeType: string;
  @Column({ type: 'varchar', length: 255 }) fileName: string;
  @Column({ type: 'varchar', length: 36 }) uploadedById: string;
  /** the uploader's area: who may see the file before it is attached to a case */
  @Column({ type: 'varchar', length: 12, nullable: true }) areaCode: string | null;
  @Column(timestamp()) uploadedAt: Date;
  @Index() @Column({ type: 'varchar', length: 36, nullable: true }) caseId: string | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) batchId: string | null;
  /** the audit entry that first used it */
  @Column({ type: 'integer', nullable: true }) usedInSeq: number | null;
  /** the event of that entry: a batch's file serves only that step of the batch's cases */
  @Column({ type: 'varchar', length: 40, nullable: true }) usedFor: string | null;
}

@Entity('timers')
@Index(['status', 'dueAt'])
export class TimerEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) caseId: string;
  @Column({ type: 'varchar', length: 40 }) key: string;
  @Column({ type: 'varchar', length: 40 }) event: string;
  @Column(timestamp()) dueAt: Date;
  /** pending → fired | cancelled | failed */
  @Column({ type: 'varchar', length: 12 }) status: string;
  @Column({ type: 'integer' }) scheduledAtVersion: number;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp({ nullable: true })) settledAt: Date | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
}

@Entity('idempotency_records')
export class IdempotencyRecordEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) userId: string;
  @PrimaryColumn({ type: 'varchar', length: 100 }) key: string;
  @Column({ type: 'varchar', length: 64 }) requestHash: string;
  @Column({ type: 'varchar', length: 36 }) caseId: string;
  /** the first response, returned again on replay */
  /** the answer as sent; phones inside encrypted at rest (issue 19) */
  @Column(json({ transformer: sealedPhones })) response: Record<string, any>;
  @Column(timestamp()) createdAt: Date;
}

export const ENTITIES = [
  AreaEntity,
  UserEntity,
  PolicyVersionEntity,
  HouseholdEntity,
  HouseholdMemberEntity,
  MonitoringObjectEntity,
  AssistanceMeasureEntity,
  IncomeRecordEntity,
  CaseEntity,
  AuditEntryEntity,
  EvidenceEntity,
  TimerEntity,
  IdempotencyRecordEntity,
  ...WELFARE_POST_ENTITIES,
  ...PROJECT_ENTITIES,
  ...IMPLEMENTATION_ENTITIES,
  ...IMPORT_ENTITIES,
  ...NOTIFICATION_ENTITIES,
  LoginEventEntity,
  PersonalDataReadEntity,
  ...AUDIT_ENTITIES,
  ...RECTIFICATION_ENTITIES,
  PolicyLedgerEntryEntity,
  ...REGISTRY_ENTITIES,
];
