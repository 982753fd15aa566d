/**
 * The annual plan (年度实施计划), and mirrors of implementation and payment cases written in the
 * engine's transaction: the cases and their hash-chained audit trail stay the record; these
 * tables make the ledgers, the payment figures and the detectors cheap to read. Money is integer
 * fen (`bigint` on both engines), never a float.
 */
import { Column, Entity, Index } from 'typeorm';
import { json, timestamp } from '../../database/column-types';
import { WithId } from '../../database/with-id';
import type { PlannedFund } from '../../machines/project-implementation.machine';

/** fen in a bigint, read back as a JS number (exact below 2^53 fen, far above any project) */
const fen = (options: { nullable?: boolean } = {}) =>
  ({
    type: 'bigint',
    ...options,
    transformer: { to: (v: number | null) => v, from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)) },
  }) as const;

/** A library project the county put in a year's plan, with its funds by source. One plan entry per project. */
@Entity('project_plan_entries')
@Index(['countyCode', 'year'])
export class ProjectPlanEntryEntity extends WithId {
  @Column({ type: 'integer' }) year: number;
  /** the county whose plan it is */
  @Column({ type: 'varchar', length: 12 }) countyCode: string;
  /** the village of the project */
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Index({ unique: true }) @Column({ type: 'varchar', length: 36 }) projectId: string;
  @Column(json()) funds: PlannedFund[];
  @Column(fen()) plannedFen: number;
  @Column({ type: 'varchar', length: 36 }) addedById: string;
  @Column(timestamp()) addedAt: Date;
}

/** The implementation case of a project, as the ledgers and payments read it. */
@Entity('project_implementations')
@Index(['areaCode', 'year'])
export class ProjectImplementationEntity extends WithId {
  @Index({ unique: true }) @Column({ type: 'varchar', length: 36 }) projectId: string;
  @Index({ unique: true }) @Column({ type: 'varchar', length: 36 }) caseId: string;
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'integer' }) year: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 40 }) category: string;
  @Index() @Column({ type: 'varchar', length: 30 }) state: string;
  @Column(fen()) plannedFen: number;
  @Column({ type: 'varchar', length: 60, nullable: true }) contractNo: string | null;
  @Column(fen({ nullable: true })) contractFen: number | null;
  @Column({ type: 'varchar', length: 10, nullable: true }) startedOn: string | null;
  /** the contract's planned end, else the library period's end */
  @Column({ type: 'varchar', length: 10 }) plannedEnd: string;
  @Column({ type: 'integer' }) progressPercent: number;
  @Column({ type: 'varchar', length: 10, nullable: true }) lastProgressDate: string | null;
  @Column({ type: 'varchar', length: 10, nullable: true }) completedOn: string | null;
  @Column(timestamp({ nullable: true })) acceptedAt: Date | null;
  @Column(timestamp({ nullable: true })) closedAt: Date | null;
  /** approved payments; raised only by an approval that saw the previous figure (no lost update) */
  @Column(fen()) paidFen: number;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}

export type PaymentStatus = 'draft' | 'submitted' | 'paid' | 'rejected' | 'withdrawn';
/** a payment request that holds its invoice: a rejected or withdrawn one frees it for a new request */
export const LIVE_PAYMENT_STATUSES = ['draft', 'submitted', 'paid'] as const;

/**
 * One payment case (id = the case id). 重复报账 (issue 19): one live request per invoice in a
 * county — the partial unique index (countyCode, invoiceKey) WHERE status is live, migration
 * InvoiceOncePerCounty, so two concurrent requests cannot both hold it.
 */
@Entity('project_payments')
@Index(['countyCode', 'invoiceKey'], { unique: true, where: `"status" IN ('draft', 'submitted', 'paid')` })
export class ProjectPaymentEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) projectId: string;
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  /** the county of the project */
  @Column({ type: 'varchar', length: 12 }) countyCode: string;
  @Column({ type: 'varchar', length: 20 }) kind: string;
  @Column(fen()) amountFen: number;
  @Column({ type: 'varchar', length: 60 }) invoiceNo: string;
  /** the invoice number without blanks, upper case: what "the same invoice" compares */
  @Column({ type: 'varchar', length: 60 }) invoiceKey: string;
  @Column({ type: 'varchar', length: 60 }) contractRef: string;
  @Column({ type: 'varchar', length: 20 }) status: PaymentStatus;
  @Column({ type: 'varchar', length: 36 }) requestedById: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) approvedById: string | null;
  @Column(timestamp({ nullable: true })) paidAt: Date | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}

/** 资产台账: an asset of a completed project and whom it was handed to. */
@Entity('project_assets')
@Index(['areaCode'])
export class ProjectAssetEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) projectId: string;
  @Column({ type: 'varchar', length: 36 }) caseId: string;
  /** the village of the project */
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 50, nullable: true }) kind: string | null;
  @Column({ type: 'double precision' }) quantity: number;
  @Column({ type: 'varchar', length: 20 }) unit: string;
  @Column(fen()) valueFen: number;
  @Column({ type: 'varchar', length: 30 }) ownerType: string;
  @Column({ type: 'varchar', length: 100 }) ownerName: string;
  @Column({ type: 'varchar', length: 12, nullable: true }) ownerAreaCode: string | null;
  @Column({ type: 'varchar', length: 10 }) handoverDate: string;
  @Column(timestamp()) registeredAt: Date;
}

export const IMPLEMENTATION_ENTITIES = [ProjectPlanEntryEntity, ProjectImplementationEntity, ProjectPaymentEntity, ProjectAssetEntity];
