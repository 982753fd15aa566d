/**
 * The tables the public-welfare post procedures mirror their cases into, in the engine's
 * transaction: posts with their free places, post holders (tenures), monthly attendance.
 * The cases and their hash-chained audit trail stay the record; these tables make lists,
 * the real-name ledger (SF-17) and the idle-post detector (SF-16) cheap to read.
 */
import { randomUUID } from 'node:crypto';
import { BeforeInsert, Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';
import { json, timestamp } from '../../database/column-types';

/**
 * The same id column as `WithId` in database/entities.ts, declared here because entities.ts
 * lists these classes in ENTITIES: importing its base class back would be a require cycle.
 */
abstract class WithId {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;

  @BeforeInsert()
  assignId(): void {
    this.id ??= randomUUID();
  }
}

/** numeric comes back from PostgreSQL as a string */
const moneyColumn: ValueTransformer = {
  to: (v: number | null) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};

@Entity('welfare_posts')
@Index(['areaCode', 'postType', 'status'])
export class WelfarePostEntity extends WithId {
  /** the 设岗 case that opened the post (its subject id is this post's id) */
  @Index({ unique: true }) @Column({ type: 'varchar', length: 36 }) settingCaseId: string;
  @Index() @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 30 }) postType: string;
  @Column({ type: 'integer' }) places: number;
  /** holders contracted or on duty; never above places (conditional update) */
  @Column({ type: 'integer', default: 0 }) filled: number;
  @Column({ type: 'text' }) duties: string;
  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: moneyColumn }) monthlySubsidy: number;
  @Column({ type: 'integer' }) termMonths: number;
  /** open → closed */
  @Column({ type: 'varchar', length: 10 }) status: string;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
  @Column(timestamp({ nullable: true })) closedAt: Date | null;
}

/**
 * One person on one post, from county approval to exit; one per hiring case. At most one active
 * (contracted or on duty) per person: a partial unique index (SF-14, migration OnePostPerPerson).
 */
@Entity('welfare_post_tenures')
@Index('UQ_welfare_post_tenures_active_member', ['memberId'], { unique: true, where: `"status" IN ('contracted', 'on_duty')` })
export class WelfarePostTenureEntity extends WithId {
  @Index({ unique: true }) @Column({ type: 'varchar', length: 36 }) caseId: string;
  @Index() @Column({ type: 'varchar', length: 36 }) postId: string;
  @Index() @Column({ type: 'varchar', length: 36 }) memberId: string;
  @Index() @Column({ type: 'varchar', length: 36 }) householdId: string;
  @Index() @Column({ type: 'varchar', length: 12 }) areaCode: string;
  /** contracted → on_duty → exited */
  @Index() @Column({ type: 'varchar', length: 12 }) status: string;
  @Column({ type: 'varchar', length: 10, nullable: true }) startDate: string | null;
  /** the day the agreement ends (exclusive) */
  @Column({ type: 'varchar', length: 10, nullable: true }) endDate: string | null;
  /** declined | terminated | resigned | expired */
  @Column({ type: 'varchar', length: 12, nullable: true }) exitKind: string | null;
  @Column({ type: 'varchar', length: 30, nullable: true }) exitReason: string | null;
  @Column(timestamp({ nullable: true })) exitedAt: Date | null;
  /** issue 19 (SF-15): the holder left the household (death, moved_away, marriage_out) on this day; the township must end the tenure */
  @Column({ type: 'varchar', length: 10, nullable: true }) holderLeftOn: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) holderLeftKind: string | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}

/**
 * Monthly attendance, insert-only: a correction is a new row with the next revision, written
 * by its own audited event (CORRECT_ATTENDANCE); the current figure of a month is its highest
 * revision. The unique index makes "one record per person and month" hold per revision.
 */
@Entity('welfare_post_attendance')
@Index(['tenureId', 'month', 'revision'], { unique: true })
export class WelfarePostAttendanceEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) tenureId: string;
  @Index() @Column({ type: 'varchar', length: 36 }) caseId: string;
  @Column({ type: 'varchar', length: 36 }) postId: string;
  @Index() @Column({ type: 'varchar', length: 12 }) areaCode: string;
  /** YYYY-MM */
  @Column({ type: 'varchar', length: 7 }) month: string;
  @Column({ type: 'integer' }) revision: number;
  @Column({ type: 'integer' }) daysWorked: number;
  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: moneyColumn }) subsidy: number;
  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: moneyColumn }) monthlySubsidy: number;
  @Column({ type: 'integer' }) minDays: number;
  @Column({ type: 'numeric', precision: 5, scale: 4, transformer: moneyColumn }) partialRatio: number;
  @Column({ type: 'boolean', default: false }) correction: boolean;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column(json()) evidenceIds: string[];
  /** the audit entry (case seq) that recorded it */
  @Column({ type: 'integer' }) auditSeq: number;
  @Column({ type: 'varchar', length: 36 }) recordedById: string;
  @Column(timestamp()) recordedAt: Date;
}

export const WELFARE_POST_ENTITIES = [WelfarePostEntity, WelfarePostTenureEntity, WelfarePostAttendanceEntity];
