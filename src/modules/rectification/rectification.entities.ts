/**
 * The rectification ledger (整改台账, issue 14): findings (问题) and the items they were handed
 * over as (交办), mirrored from the rectification cases in the engine's transaction. The cases
 * and their hash-chained audit trail stay the record (each item's first entry carries the
 * finding as it was handed over); these tables make the ledger, its filters and figures cheap.
 */
import { Column, Entity, Index } from 'typeorm';
import { json, timestamp } from '../../database/column-types';
import { WithId } from '../../database/with-id';

export type FindingOrigin = 'manual' | 'import' | 'detector';

@Entity('rectification_findings')
@Index('IDX_rectification_findings_area', ['areaCode', 'recordedAt'])
@Index('IDX_rectification_findings_detector', ['detector', 'subjectKey'])
export class RectificationFindingEntity extends WithId {
  /** the narrowest area containing every area concerned: who may see the finding */
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  /** the areas concerned */
  @Column(json()) areas: string[];
  @Column({ type: 'varchar', length: 30 }) source: string;
  @Column({ type: 'varchar', length: 30 }) category: string;
  @Column({ type: 'varchar', length: 20 }) severity: string;
  @Column({ type: 'text' }) description: string;
  @Column({ type: 'varchar', length: 20 }) origin: FindingOrigin;
  /** the detector (`/inspection/{detector}`) and how it ran, for a finding it produced */
  @Column({ type: 'varchar', length: 40, nullable: true }) detector: string | null;
  @Column(json({ nullable: true })) detectorParams: Record<string, any> | null;
  @Column({ type: 'varchar', length: 12, nullable: true }) detectorScopeArea: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) detectorScopeRole: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) subjectKey: string | null;
  /** the detector's row for the subject, as listed when the finding was made */
  @Column(json({ nullable: true })) subject: Record<string, any> | null;
  @Column({ type: 'varchar', length: 36 }) recordedById: string;
  @Column({ type: 'varchar', length: 20 }) recordedByRole: string;
  @Column(timestamp()) recordedAt: Date;
}

/** One item of the ledger: a finding handed over to one responsible area (id = the case id). */
@Entity('rectification_items')
@Index('IDX_rectification_items_area', ['areaCode', 'status'])
@Index('IDX_rectification_items_finding', ['findingId'])
export class RectificationItemEntity extends WithId {
  @Column({ type: 'varchar', length: 36 }) findingId: string;
  /** the responsible area (责任区域) */
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 30 }) source: string;
  @Column({ type: 'varchar', length: 30 }) category: string;
  @Column({ type: 'varchar', length: 20 }) severity: string;
  @Column({ type: 'text' }) problem: string;
  @Column({ type: 'text' }) measures: string;
  @Column({ type: 'varchar', length: 100 }) responsibleUnit: string;
  @Column({ type: 'varchar', length: 50 }) responsiblePerson: string;
  /** 完成时限 (a date) and the moment it passes */
  @Column({ type: 'varchar', length: 10 }) deadline: string;
  @Column(timestamp()) deadlineAt: Date;
  /** the case's state: rectifying, acceptance, closed */
  @Column({ type: 'varchar', length: 20 }) status: string;
  /** the latest progress recorded (整改进展) and how many */
  @Column({ type: 'text', nullable: true }) progress: string | null;
  @Column({ type: 'integer' }) progressCount: number;
  @Column({ type: 'integer' }) returns: number;
  @Column({ type: 'varchar', length: 40, nullable: true }) detector: string | null;
  @Column({ type: 'varchar', length: 36 }) assignedById: string;
  /** the assigning level: county or township */
  @Column({ type: 'varchar', length: 20 }) assignedByRole: string;
  @Column(timestamp()) assignedAt: Date;
  @Column(timestamp({ nullable: true })) closedAt: Date | null;
  @Column(timestamp()) updatedAt: Date;
}

export const RECTIFICATION_ENTITIES = [RectificationFindingEntity, RectificationItemEntity];
