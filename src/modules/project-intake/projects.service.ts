import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea, narrowArea } from '../../common/auth/scope';
import { titleOf } from '../../common/domain/enums';
import { AppError } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { INDUSTRY_CATEGORY, PROJECT_CATEGORIES } from '../../machines/project-intake.machine';
import { round2 } from '../../machines/procedure';
import { AreasService } from '../admin/areas.service';
import { PoliciesService } from '../policies/policies.service';
import type { ProjectFiguresQuery, ProjectListQuery } from './project-intake.dto';
import { ProjectEntity, ProjectVersionEntity } from './project.entity';
import { isRowId } from '../../common/domain/row-id';

const ratio = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null);

/** The project library (项目库) and the county's figures, read from the mirrored tables. */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly areas: AreasService,
    private readonly policies: PoliciesService,
  ) {}

  private view(p: ProjectEntity, areaName: string | null) {
    const c = p.content;
    return {
      id: p.id,
      areaCode: p.areaCode,
      areaName,
      name: p.name,
      category: p.category,
      categoryTitle: titleOf(PROJECT_CATEGORIES, p.category),
      subCategory: c.subCategory ?? null,
      year: p.year,
      status: p.status,
      version: p.version,
      budget: c.budget,
      fundSource: c.fundSource,
      period: c.period,
      content: c.content,
      performanceTargets: c.performanceTargets,
      beneficiaries: c.beneficiaries,
      linkageMechanism: c.linkageMechanism ?? null,
      applicationCaseId: p.applicationCaseId,
      changeCaseId: p.changeCaseId,
      enteredAt: p.enteredAt ? p.enteredAt.toISOString() : null,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }

  /** `GET /projects?areaCode=&year=&status=&category=` */
  async list(user: AuthUser, q: ProjectListQuery) {
    const qb = this.uow.manager.createQueryBuilder(ProjectEntity, 'p');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('p.areaCode LIKE :like', { like });
    if (q.year !== undefined) qb.andWhere('p.year = :year', { year: q.year });
    if (q.status) qb.andWhere('p.status = :status', { status: q.status });
    if (q.category) qb.andWhere('p.category = :category', { category: q.category });
    qb.orderBy('p.year', 'DESC').addOrderBy('p.createdAt', 'DESC').addOrderBy('p.id');
    const [rows, total] = await qb.skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    const names = await this.areas.names([...new Set(rows.map((r) => r.areaCode))]);
    return { items: rows.map((r) => this.view(r, names.get(r.areaCode) ?? null)), total, page: q.page, pageSize: q.pageSize };
  }

  /** `GET /projects/{id}`: the project with every version it had in the library (SF-21). */
  async get(user: AuthUser, id: string) {
    const em = this.uow.manager;
    const row = isRowId(id) ? await em.findOneBy(ProjectEntity, { id }) : null;
    if (!row) throw AppError.notFound('项目');
    assertInArea(user, row.areaCode, '项目');
    const versions = await em.find(ProjectVersionEntity, { where: { projectId: id }, order: { version: 'ASC' } });
    const names = await this.areas.names([row.areaCode]);
    return {
      ...this.view(row, names.get(row.areaCode) ?? null),
      versions: versions.map((v) => ({ version: v.version, caseId: v.caseId, year: v.year, enteredAt: v.enteredAt.toISOString(), content: v.content })),
    };
  }

  /**
   * `GET /projects/figures?areaCode=&year=`: linkage funds of the projects in the library for
   * the year, the industry share against the policy minimum, per township.
   */
  async figures(user: AuthUser, q: ProjectFiguresQuery) {
    const areaCode = q.areaCode ?? user.areaCode;
    if (!areaCode) throw AppError.validation({ areaCode: '请指定行政区划' });
    const like = narrowArea(user, areaCode)!;
    const rows = await this.uow.manager
      .createQueryBuilder(ProjectEntity, 'p')
      .where('p.status = :status AND p.year = :year AND p.areaCode LIKE :like', { status: 'in_library', year: q.year, like })
      .getMany();
    const sum = (list: ProjectEntity[]) => {
      const total = round2(list.reduce((s, p) => s + p.linkageFunds, 0));
      const industry = round2(list.filter((p) => p.category === INDUSTRY_CATEGORY).reduce((s, p) => s + p.linkageFunds, 0));
      return { projects: list.length, totalLinkageFunds: total, industryLinkageFunds: industry, industryShare: ratio(industry, total) };
    };
    const byTownship = new Map<string, ProjectEntity[]>();
    for (const p of rows) {
      const township = p.areaCode.slice(0, 9) + '000';
      byTownship.set(township, [...(byTownship.get(township) ?? []), p]);
    }
    const names = await this.areas.names([...byTownship.keys()]);
    const industryShareMin = (await this.policies.effective(areaCode)).values['projects.industryShareMin'];
    const all = sum(rows);
    return {
      areaCode,
      year: q.year,
      ...all,
      industryShareMin,
      meetsIndustryShareMin: all.industryShare !== null && all.industryShare >= industryShareMin,
      townships: [...byTownship.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, list]) => ({ areaCode: code, name: names.get(code) ?? null, ...sum(list) })),
    };
  }
}
