import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AuthUser } from '../../common/auth/auth-user';
import { areaPrefix, levelOf, parentOf } from '../../common/domain/area';
import { AppError } from '../../common/errors/app-error';
import { ImportsService } from '../imports/imports.service';
import { CopiedTextsService } from '../inspection-texts/copied-texts.service';
import { ProjectImplementationService } from '../project-implementation/implementation.service';
import { InspectionService } from '../risk-elimination/inspection.service';
import { WelfarePostsService } from '../welfare-posts/welfare-posts.service';

/** One subject a detector lists: what identifies it, where it is, and the row as listed. */
export interface DetectedSubject {
  key: string;
  areaCode: string;
  row: Record<string, unknown>;
}

export interface DetectorDef {
  id: string;
  title: string;
  /** the seed finding it watches */
  finding: string;
  /** the finding category its subjects are recorded under */
  category: string;
  /** the parameters the detector takes (its query), besides areaCode */
  params: string[];
  describe(row: Record<string, any>): string;
}

/** The narrowest area containing every code given. */
export function commonArea(codes: string[]): string {
  let common = codes[0];
  for (const c of codes.slice(1)) {
    while (!c.startsWith(areaPrefix(common))) {
      const up = parentOf(common);
      if (!up) return common;
      common = up;
    }
  }
  return common;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/**
 * The `/inspection/*` detectors a finding can come from, callable without an HTTP round trip
 * (issue 14). One finding per subject: an area for the concentration detector, a monitoring
 * object, a household, a post holder, a pasted text for the others. The same call with the
 * same parameters and scope answers whether a subject is still listed.
 */
export const DETECTORS: Record<string, DetectorDef> = {
  concentration: {
    id: 'concentration',
    title: '集中消除预警',
    finding: 'SF-08',
    category: 'monitoring',
    params: [],
    describe: (r) => `${r.level === 'village' ? '村' : '乡镇'}（${r.areaCode}）近期集中消除风险：${r.eliminated}/${r.total}，占比${r.share}，超过预警比例${r.threshold}`,
  },
  'overdue-elimination': {
    id: 'overdue-elimination',
    title: '符合消除条件未消除',
    finding: 'SF-11',
    category: 'monitoring',
    params: [],
    describe: (r) => `监测对象（${r.monitoringObjectId}）已符合风险消除条件但未启动风险消除程序（人均纯收入${r.latestPerCapitaNetIncome}元，监测线${r.incomeLine}元）`,
  },
  'stale-monitoring': {
    id: 'stale-monitoring',
    title: '长期监测无新增帮扶',
    finding: 'SF-11',
    category: 'monitoring',
    params: [],
    describe: (r) => `监测对象（${r.monitoringObjectId}）自${r.startDate}起纳入监测，${r.lastMeasureDate ? `最近帮扶措施为${r.lastMeasureDate}` : '没有帮扶措施记录'}，长期未落实帮扶`,
  },
  'unmonitored-assistance': {
    id: 'unmonitored-assistance',
    title: '低保特困户未纳入监测',
    finding: 'SF-01',
    category: 'monitoring',
    params: [],
    describe: (r) => `农户（${r.householdId}）在低保、特困名单中，但未纳入监测，也没有正在办理的纳入程序`,
  },
  'idle-posts': {
    id: 'idle-posts',
    title: '公益岗位占岗不做事',
    finding: 'SF-16',
    category: 'welfare_posts',
    params: [],
    describe: (r) => `公益岗位在岗人员（${r.holderId}，${r.postTypeTitle ?? '岗位'}）连续${r.idleMonths}个月无出勤记录`,
  },
  'copied-texts': {
    id: 'copied-texts',
    title: '雷同文字',
    finding: 'SF-24',
    category: 'work',
    params: ['minCases', 'minLength', 'since'],
    describe: (r) => `同一段文字在${r.cases}个案件中重复出现：“${String(r.text).slice(0, 60)}”`,
  },
  'stalled-projects': {
    id: 'stalled-projects',
    title: '项目长期无进度',
    finding: 'SF-23',
    category: 'project_funds',
    params: [],
    describe: (r) => `项目“${r.name}”（${r.areaName ?? r.areaCode}）自${r.since}起没有进度报告，超过${r.stalledAfter}未推进`,
  },
  'overdue-projects': {
    id: 'overdue-projects',
    title: '项目逾期未验收',
    finding: 'SF-23',
    category: 'project_funds',
    params: [],
    describe: (r) => `项目“${r.name}”（${r.areaName ?? r.areaCode}）计划${r.plannedEnd}完工，已逾期${r.daysOverdue}天尚未验收`,
  },
};

@Injectable()
export class DetectorsService {
  constructor(
    private readonly inspection: InspectionService,
    private readonly imports: ImportsService,
    private readonly posts: WelfarePostsService,
    private readonly texts: CopiedTextsService,
    private readonly projects: ProjectImplementationService,
  ) {}

  def(id: string): DetectorDef {
    const d = DETECTORS[id];
    if (!d) throw AppError.validation({ detector: `取值应为：${Object.keys(DETECTORS).join(', ')}` });
    return d;
  }

  /** Runs a detector as `user` would through `/inspection/{id}`, and lists its subjects. */
  async run(id: string, user: AuthUser, params: Record<string, any>): Promise<DetectedSubject[]> {
    const areaCode = params.areaCode as string | undefined;
    switch (this.def(id).id) {
      case 'concentration':
        return (await this.inspection.concentration(user, { areaCode })).map((r) => ({ key: `area:${r.areaCode}`, areaCode: r.areaCode, row: r }));
      case 'overdue-elimination':
        return (await this.inspection.overdueElimination(user, { areaCode })).map((r) => ({ key: `monitoring-object:${r.monitoringObjectId}`, areaCode: r.areaCode, row: r }));
      case 'stale-monitoring':
        return (await this.inspection.staleMonitoring(user, { areaCode })).map((r) => ({ key: `monitoring-object:${r.monitoringObjectId}`, areaCode: r.areaCode, row: r }));
      case 'unmonitored-assistance':
        return (await this.imports.unmonitoredAssistance(user, areaCode)).households.map((r) => ({ key: `household:${r.householdId}`, areaCode: r.areaCode, row: r }));
      case 'idle-posts':
        return (await this.posts.idle(user, { areaCode })).items.map((r) => ({ key: `holder:${r.holderId}`, areaCode: r.areaCode, row: r as Record<string, unknown> }));
      case 'copied-texts': {
        const out = await this.texts.find(user, { areaCode, minCases: params.minCases, minLength: params.minLength, since: params.since });
        return out.items.map((r) => ({
          key: `text:${sha(r.text)}`,
          areaCode: commonArea(r.areas),
          // the occurrences name users; the finding keeps what identifies the text
          row: { text: r.text, cases: r.cases, caseIds: r.caseIds, areas: r.areas, fields: r.fields },
        }));
      }
      // one finding per project (a planned project not yet implemented has no case: the project identifies it)
      case 'stalled-projects':
        return (await this.projects.stalled(user, areaCode)).items.map((r) => ({ key: `project:${r.projectId}`, areaCode: r.areaCode, row: r as Record<string, unknown> }));
      case 'overdue-projects':
        return (await this.projects.overdue(user, areaCode)).items.map((r) => ({ key: `project:${r.projectId}`, areaCode: r.areaCode, row: r as Record<string, unknown> }));
    }
    return [];
  }
}

/** A valid area code at village level or above. */
export const isArea = (code: unknown): code is string => typeof code === 'string' && levelOf(code) !== null;
