/**
 * The project library (项目库), mirrored from project-intake cases in the engine's
 * transaction. The cases and their hash-chained audit trail stay the record; these tables make
 * the library list and the county figures cheap to read, and keep every version a project had
 * in the library (SF-21).
 */
import { Column, Entity, Index } from 'typeorm';
import { json, timestamp } from '../../database/column-types';
import { WithId } from '../../database/with-id';
import type { ProjectContent } from '../../machines/project-intake.machine';

/** yuan with cents: a double on both engines, rounded to cents wherever it is summed */
const yuan = { type: 'double precision' } as const;

export type ProjectStatus = 'applying' | 'in_library' | 'rejected' | 'withdrawn';

@Entity('projects')
@Index(['areaCode', 'year'])
export class ProjectEntity extends WithId {
  /** the village */
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Index() @Column({ type: 'varchar', length: 40 }) category: string;
  @Column({ type: 'integer' }) year: number;
  /** applying → in_library, or rejected / withdrawn (a project never in the library) */
  @Index() @Column({ type: 'varchar', length: 20 }) status: ProjectStatus;
  @Column(yuan) totalBudget: number;
  @Column(yuan) linkageFunds: number;
  /** the current content: as applied for until it is in the library, then the library version */
  @Column(json()) content: ProjectContent;
  /** the library version in force, 0 before the project is in the library */
  @Column({ type: 'integer' }) version: number;
  /** the case that applied for the project */
  @Column({ type: 'varchar', length: 36 }) applicationCaseId: string;
  /** an open change case, if any (one at a time) */
  @Column({ type: 'varchar', length: 36, nullable: true }) changeCaseId: string | null;
  @Column(timestamp({ nullable: true })) enteredAt: Date | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}

/** Every version a project had in the library, the first and each approved change. */
@Entity('project_versions')
@Index(['projectId', 'version'], { unique: true })
export class ProjectVersionEntity extends WithId {
  @Column({ type: 'varchar', length: 36 }) projectId: string;
  @Column({ type: 'integer' }) version: number;
  /** the case that put this version in the library */
  @Column({ type: 'varchar', length: 36 }) caseId: string;
  @Column({ type: 'integer' }) year: number;
  @Column(json()) content: ProjectContent;
  @Column(timestamp()) enteredAt: Date;
}

export const PROJECT_ENTITIES = [ProjectEntity, ProjectVersionEntity];
