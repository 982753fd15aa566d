import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { json, timestamp } from '../../database/column-types';
import { WithId } from '../../database/with-id';

/**
 * Issue 12: the records outside every case chain — assistance measures, income records,
 * welfare-post attendance, evidence uploads, user and role changes — each enter a hash chain
 * of their subject here, written in the transaction that writes the record. Append-only:
 * database triggers refuse UPDATE, DELETE and TRUNCATE (see the migration RecordLedger).
 */
@Entity('record_ledger')
@Index('IDX_record_ledger_record', ['recordType', 'recordId'])
export class RecordLedgerEntity {
  /** `<kind>:<subjectId>` */
  @PrimaryColumn({ type: 'varchar', length: 120 }) chain: string;
  @PrimaryColumn({ type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 20 }) kind: string;
  @Column({ type: 'varchar', length: 36 }) subjectId: string;
  @Column({ type: 'varchar', length: 12, nullable: true }) areaCode: string | null;
  @Column({ type: 'varchar', length: 40 }) recordType: string;
  @Column({ type: 'varchar', length: 36 }) recordId: string;
  /** create | update */
  @Column({ type: 'varchar', length: 20 }) op: string;
  /** the record's covered fields as they were written */
  @Column(json()) record: Record<string, any>;
  @Column({ type: 'varchar', length: 36, nullable: true }) actorId: string | null;
  @Column(timestamp()) at: Date;
  @Column({ type: 'varchar', length: 64 }) prevHash: string;
  @Column({ type: 'varchar', length: 64 }) hash: string;
}

/**
 * The last entry of each ledger chain (as `cases.auditHead` is of a case's chain): appends to a
 * chain queue on its row, and a chain whose tail was cut no longer ends at its head.
 */
@Entity('record_ledger_heads')
export class RecordLedgerHeadEntity {
  @PrimaryColumn({ type: 'varchar', length: 120 }) chain: string;
  @Column({ type: 'varchar', length: 20 }) kind: string;
  @Column({ type: 'varchar', length: 36 }) subjectId: string;
  /** the area of the chain's latest entry: who may verify it */
  @Index('IDX_record_ledger_heads_area') @Column({ type: 'varchar', length: 12, nullable: true }) areaCode: string | null;
  @Column({ type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 64 }) hash: string;
  @Column(timestamp()) updatedAt: Date;
}

/** One hash over every chain head at a moment: the Merkle root kept here and sent out (append-only). */
@Entity('audit_checkpoints')
export class AuditCheckpointEntity extends WithId {
  @Index('IDX_audit_checkpoints_taken') @Column(timestamp()) takenAt: Date;
  /** daily | manual */
  @Column({ type: 'varchar', length: 10 }) trigger: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) takenById: string | null;
  @Column({ type: 'varchar', length: 64 }) root: string;
  @Column({ type: 'integer' }) chains: number;
  @Column({ type: 'integer' }) caseChains: number;
  @Column({ type: 'integer' }) ledgerChains: number;
}

/** The chain heads a checkpoint's root was computed over (append-only). */
@Entity('audit_checkpoint_leaves')
export class AuditCheckpointLeafEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) checkpointId: string;
  @PrimaryColumn({ type: 'varchar', length: 120 }) chain: string;
  @Column({ type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 64 }) hash: string;
}

export const AUDIT_ENTITIES = [RecordLedgerEntity, RecordLedgerHeadEntity, AuditCheckpointEntity, AuditCheckpointLeafEntity];
