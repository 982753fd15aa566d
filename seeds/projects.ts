/**
 * Demo projects in the 2026 annual plan (issue 15), at different stages of implementation:
 * planned only, contracted, in progress with payments, accepted, and with its assets handed over
 * and the completion notice running.
 *
 * How they got into the library — said plainly, because it is the one step not taken through
 * the engine: a project enters the library (项目库) only when its project-intake case's 公示
 * closes, after `projects.noticePeriod` (P10D, and the national bound forbids a shorter one).
 * The engine takes no injected clock and a policy cannot honestly be backdated around the
 * bound, so a seed cannot take an intake case to `in_library` today. The demo library projects
 * are therefore written directly as library rows, marked as seeded demo data:
 *   - `applicationCaseId` is `SEEDED_DEMO` (no application case exists; GET /cases/… answers 404);
 *   - each has one `create` entry in the hash-chained record ledger, kind `projects`
 *     (GET /audit/ledger/verify?kind=projects), actor the system, with the content as it entered the library;
 *   - the content is checked first against the intake's own DTO and content rules, so it is a
 *     project the intake would have accepted.
 * Everything after the library goes through the services and the engine as users would take it
 * (plan entry by the county, the implementation case, contract, progress reports, payments with
 * their SF-23 rules and the county's approval, acceptance signatures, asset handover, the
 * completion notice): every step has its audit entry. The completion notice runs its real
 * period, so the most advanced project reaches `closed` by itself once the notice ends.
 *
 * Idempotent: a demo project already in the library (same village and name) is skipped.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../src/common/auth/auth-user';
import { validateBody } from '../src/common/http/validation';
import { UserEntity } from '../src/database/entities';
import { UnitOfWork } from '../src/database/unit-of-work';
import { contentProblems, type ProjectContent } from '../src/machines/project-intake.machine';
import { beijingDate } from '../src/machines/record-date';
import { appendLedger } from '../src/modules/audit/record-ledger';
import { toAuthUser } from '../src/modules/auth/users.service';
import type { CaseView } from '../src/modules/engine/case-view.service';
import { EngineService } from '../src/modules/engine/engine.service';
import { EvidenceService } from '../src/modules/evidence/evidence.service';
import { ProjectImplementationService } from '../src/modules/project-implementation/implementation.service';
import { CreateProjectDto } from '../src/modules/project-intake/project-intake.dto';
import { ProjectEntity, ProjectVersionEntity } from '../src/modules/project-intake/project.entity';
import { PoliciesService } from '../src/modules/policies/policies.service';
import { USERS } from './demo-data';

/** the application case id of a library project that no intake case put there */
export const SEEDED_DEMO = 'seeded-demo-data';

export type ProjectStage = 'planned' | 'contracted' | 'paying' | 'accepted' | 'assets';

/** the implementation state each stage reaches (the last: the notice runs, then `closed`) */
export const STAGE_STATES: Record<ProjectStage, string | null> = {
  planned: null,
  contracted: 'in_progress',
  paying: 'in_progress',
  accepted: 'asset_registration',
  assets: 'completion_notice',
};

interface DemoProject {
  village: string;
  villageUser: string;
  collective: string;
  stage: ProjectStage;
  contractNo: string;
  contractor: string;
  /** yuan */
  contractAmount: number;
  funds: Array<{ source: string; amount: number }>;
  asset: { name: string; kind: string; quantity: number; unit: string; value: number };
  body: Omit<CreateProjectDto, 'areaCode' | 'changeOf'>;
}

const daysFromNow = (n: number) => beijingDate(new Date(Date.now() + n * 86400_000));
const FUND_SOURCE = '中央和省级财政衔接推进乡村振兴补助资金';

export const DEMO_PROJECTS: DemoProject[] = [
  {
    village: '411003100201', villageUser: 'v_huozhuang', collective: '霍庄村股份经济合作社', stage: 'assets',
    contractNo: 'JA-2026-SF001', contractor: '许昌建安建筑工程有限公司', contractAmount: 800000,
    funds: [{ source: '中央财政衔接资金', amount: 700000 }, { source: '县级财政衔接资金', amount: 150000 }],
    asset: { name: '食用菌标准化大棚', kind: '经营性资产', quantity: 16, unit: '座', value: 790000 },
    body: {
      name: '霍庄村食用菌标准化大棚建设项目（演示）', category: 'industry', year: 2026,
      budget: { total: 850000, linkageFunds: 700000, otherFunds: 150000 }, fundSource: FUND_SOURCE,
      period: { start: daysFromNow(-150), end: daysFromNow(90) }, content: '新建食用菌标准化大棚16座及配套水电、道路设施，建成后出租经营',
      performanceTargets: [{ kind: 'output', indicator: '新建大棚数量', value: '16', unit: '座' }, { kind: 'benefit', indicator: '带动脱贫户和监测户增收', value: '1500', unit: '元/户·年' }],
      beneficiaries: { households: 110, formerlyPoorHouseholds: 28, monitoredHouseholds: 4 },
      linkageMechanism: '大棚出租收益按比例分红，优先吸纳脱贫户和监测户务工',
    },
  },
  {
    village: '411003100202', villageUser: 'v_daluchen', collective: '大路陈村股份经济合作社', stage: 'accepted',
    contractNo: 'JA-2026-SF002', contractor: '许昌市农业设施工程有限公司', contractAmount: 600000,
    funds: [{ source: '中央财政衔接资金', amount: 600000 }],
    asset: { name: '花木育苗温室', kind: '经营性资产', quantity: 4, unit: '栋', value: 590000 },
    body: {
      name: '大路陈村花木育苗温室项目（演示）', category: 'industry', year: 2026,
      budget: { total: 600000, linkageFunds: 600000, otherFunds: 0 }, fundSource: FUND_SOURCE,
      period: { start: daysFromNow(-120), end: daysFromNow(120) }, content: '新建花木育苗连栋温室4栋，配套灌溉设施，由村集体统一经营',
      performanceTargets: [{ kind: 'output', indicator: '新建温室', value: '4', unit: '栋' }],
      beneficiaries: { households: 80, formerlyPoorHouseholds: 20, monitoredHouseholds: 3 },
      linkageMechanism: '温室收益用于村集体分红和公益岗位补贴，吸纳脱贫户务工',
    },
  },
  {
    village: '411003100202', villageUser: 'v_daluchen', collective: '大路陈村股份经济合作社', stage: 'paying',
    contractNo: 'JA-2026-SF003', contractor: '许昌建安建筑工程有限公司', contractAmount: 1000000,
    funds: [{ source: '中央财政衔接资金', amount: 900000 }, { source: '县级财政衔接资金', amount: 150000 }],
    asset: { name: '冷链仓储库', kind: '经营性资产', quantity: 1, unit: '座', value: 1000000 },
    body: {
      name: '大路陈村农产品冷链仓储项目（演示）', category: 'industry', year: 2026,
      budget: { total: 1050000, linkageFunds: 900000, otherFunds: 150000 }, fundSource: FUND_SOURCE,
      period: { start: daysFromNow(-90), end: daysFromNow(150) }, content: '新建500吨农产品冷链仓储库1座及分拣车间，服务周边种植户',
      performanceTargets: [{ kind: 'output', indicator: '冷库库容', value: '500', unit: '吨' }],
      beneficiaries: { households: 150, formerlyPoorHouseholds: 35, monitoredHouseholds: 6 },
      linkageMechanism: '冷库租赁收益分红，优先收储脱贫户和监测户农产品',
    },
  },
  {
    village: '411003100201', villageUser: 'v_huozhuang', collective: '霍庄村股份经济合作社', stage: 'contracted',
    contractNo: 'JA-2026-SF004', contractor: '许昌市农业设施工程有限公司', contractAmount: 450000,
    funds: [{ source: '中央财政衔接资金', amount: 450000 }],
    asset: { name: '香菇烘干房', kind: '经营性资产', quantity: 2, unit: '座', value: 450000 },
    body: {
      name: '霍庄村香菇烘干房建设项目（演示）', category: 'industry', year: 2026,
      budget: { total: 450000, linkageFunds: 450000, otherFunds: 0 }, fundSource: FUND_SOURCE,
      period: { start: daysFromNow(-30), end: daysFromNow(180) }, content: '新建香菇烘干房2座及配套电力设施，提高食用菌产品附加值',
      performanceTargets: [{ kind: 'output', indicator: '新建烘干房', value: '2', unit: '座' }],
      beneficiaries: { households: 60, formerlyPoorHouseholds: 15, monitoredHouseholds: 2 },
      linkageMechanism: '烘干服务收益归村集体，脱贫户和监测户优先务工',
    },
  },
  {
    village: '411003100201', villageUser: 'v_huozhuang', collective: '霍庄村股份经济合作社', stage: 'planned',
    contractNo: 'JA-2026-SF005', contractor: '—', contractAmount: 300000,
    funds: [{ source: '县级财政衔接资金', amount: 300000 }],
    asset: { name: '菌棒加工车间', kind: '经营性资产', quantity: 1, unit: '座', value: 300000 },
    body: {
      name: '霍庄村菌棒加工车间项目（演示）', category: 'industry', year: 2026,
      budget: { total: 300000, linkageFunds: 300000, otherFunds: 0 }, fundSource: FUND_SOURCE,
      period: { start: daysFromNow(-10), end: daysFromNow(200) }, content: '新建菌棒加工车间1座，为本村和周边食用菌种植户提供菌棒',
      performanceTargets: [{ kind: 'output', indicator: '年产菌棒', value: '50', unit: '万棒' }],
      beneficiaries: { households: 70, formerlyPoorHouseholds: 18, monitoredHouseholds: 2 },
      linkageMechanism: '车间出租收益分红，吸纳脱贫户和监测户务工',
    },
  },
];

const PDF = (label: string) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${label}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

export interface ProjectSeedReport {
  library: number;
  planned: number;
  implementations: number;
  payments: number;
}

export async function seedProjects(app: INestApplicationContext): Promise<ProjectSeedReport> {
  const ds = app.get(DataSource);
  const uow = app.get(UnitOfWork);
  const engine = app.get(EngineService);
  const evidence = app.get(EvidenceService);
  const plans = app.get(ProjectImplementationService);
  const policies = app.get(PoliciesService);
  const users = new Map<string, AuthUser>();
  const user = async (username: string) => {
    if (!users.has(username)) users.set(username, toAuthUser(await ds.getRepository(UserEntity).findOneByOrFail({ username })));
    return users.get(username)!;
  };
  let n = 0;
  const key = () => `seed-projects-${Date.now()}-${n++}`;
  const report: ProjectSeedReport = { library: 0, planned: 0, implementations: 0, payments: 0 };

  for (const d of DEMO_PROJECTS) {
    if (await ds.getRepository(ProjectEntity).existsBy({ areaCode: d.village, name: d.body.name })) continue;
    const projectId = await libraryEntry(d);
    report.library++;

    const county = await user('c_jianan');
    await plans.addToPlan(county, { year: d.body.year, projectId, funds: d.funds });
    report.planned++;
    if (d.stage === 'planned') continue;

    const village = await user(d.villageUser);
    let view: CaseView = await engine.create('project-implementation', { projectId }, village);
    report.implementations++;
    const upload = async (by: AuthUser, type: string, caseId: string) =>
      (await evidence.upload({ buffer: PDF(`${caseId}-${type}-${n++}`), originalname: `${type}.pdf`, size: 80 }, { type, caseId }, by)).id;
    const step = async (username: string, type: string, evidenceTypes: string[], data: Record<string, unknown>, reason: string | null = null) => {
      const by = await user(username);
      const evidenceIds: string[] = [];
      for (const t of evidenceTypes) evidenceIds.push(await upload(by, t, view.id));
      view = await engine.apply({ caseId: view.id, type, version: view.version, evidenceIds, data, reason }, by, key());
    };
    /** a payment case of its own: requested and submitted with the invoice by the village, approved by a county user */
    const pay = async (kind: string, amount: number, approver: string) => {
      const by = village;
      let p = await engine.create('project-payment', { projectId, kind, amount, invoiceNo: `${d.contractNo}-${kind}-${report.payments + 1}`, contractRef: d.contractNo, purpose: `支付${d.body.name}工程款` }, by);
      p = await engine.apply({ caseId: p.id, type: 'SUBMIT', version: p.version, evidenceIds: [await upload(by, 'invoice', p.id)], data: {}, reason: null }, by, key());
      await engine.apply({ caseId: p.id, type: 'APPROVE', version: p.version, evidenceIds: [], data: { opinion: '票据齐全，合同和进度核实无误，同意拨付' }, reason: null }, await user(approver), key());
      report.payments++;
    };
    const amount = d.contractAmount;
    await step(d.villageUser, 'RECORD_CONTRACT', ['contract', 'start_report'], {
      contractNo: d.contractNo, contractor: d.contractor, contractAmount: amount,
      signedOn: daysFromNow(-62), startedOn: daysFromNow(-60), plannedEnd: daysFromNow(60),
    });
    if (d.stage === 'contracted') continue;

    // 30% advance, a site check at 70%, a progress payment up to 70% (the advance is recovered as the work proceeds, SF-23)
    await pay('advance', amount * 3 / 10, 'c_jianan');
    await step('t_lingjing', 'REPORT_PROGRESS', ['progress_photo'], { percent: 70, date: daysFromNow(-40), note: '主体工程施工中，现场核查进度属实' });
    await pay('progress', amount * 4 / 10, 'c_jianan2');
    if (d.stage === 'paying') continue;

    await step('t_lingjing', 'REPORT_PROGRESS', ['progress_photo'], { percent: 100, date: daysFromNow(-15), note: '工程全部完工，现场核查属实' });
    await step(d.villageUser, 'COMPLETE', ['completion_report'], { completedOn: daysFromNow(-10) });
    // every acceptance party signs with its own record; the township user who checked progress does not (SF-25)
    const required: string[] = (view.data as any).acceptance.required;
    for (const party of required) {
      const signer = party === 'township' ? 't_lingjing2' : party === 'county' ? 'c_jianan' : USERS.find((u) => u.role === 'department' && `department:${u.sector}` === party)!.username;
      await step(signer, 'SIGN_ACCEPTANCE', ['acceptance_record'], { opinion: '工程质量合格，符合设计和建设标准，同意通过验收' });
    }
    if (d.stage === 'accepted') continue;

    await pay('final', amount * 3 / 10, 'c_jianan2');
    await step('c_jianan', 'REGISTER_ASSETS', ['handover_record'], {
      handoverDate: daysFromNow(-5),
      assets: [{ ...d.asset, owner: { type: 'village_collective', name: d.collective, areaCode: d.village } }],
    });
    await step('c_jianan', 'PUBLISH_NOTICE', ['notice_photo'], { text: `${d.body.name.replace('（演示）', '')}竣工公告` });
  }
  return report;

  /** the one step not through the engine (see the top of this file): a library row, marked and in the record ledger */
  async function libraryEntry(d: DemoProject): Promise<string> {
    const dto = validateBody(CreateProjectDto, { ...d.body, areaCode: d.village });
    const content: ProjectContent = {
      name: dto.name, category: dto.category, subCategory: dto.subCategory ?? null, year: dto.year,
      budget: { ...dto.budget }, fundSource: dto.fundSource, period: { ...dto.period }, content: dto.content,
      performanceTargets: (dto.performanceTargets ?? []).map((t) => ({ kind: t.kind, indicator: t.indicator, value: t.value, unit: t.unit })),
      beneficiaries: dto.beneficiaries ? { ...dto.beneficiaries } : null,
      linkageMechanism: dto.linkageMechanism ?? null,
    };
    const problems = contentProblems({ areaCode: d.village, project: content, change: null }, (await policies.effective(d.village)).values);
    if (problems.length) throw new Error(`demo project ${content.name}: the intake would refuse it (${problems.join(', ')})`);
    return uow.transaction(async (em) => {
      const now = new Date();
      const project = em.create(ProjectEntity, {
        areaCode: d.village, name: content.name, category: content.category, year: content.year,
        status: 'in_library', totalBudget: content.budget.total, linkageFunds: content.budget.linkageFunds, content,
        version: 1, applicationCaseId: SEEDED_DEMO, changeCaseId: null, enteredAt: now, createdAt: now, updatedAt: now,
      });
      await em.save(project);
      const version = await em.save(em.create(ProjectVersionEntity, { projectId: project.id, version: 1, caseId: SEEDED_DEMO, year: content.year, content, enteredAt: now }));
      await appendLedger(em, {
        kind: 'projects', subjectId: project.id, areaCode: project.areaCode, recordId: version.id, op: 'create',
        record: { projectId: project.id, version: 1, areaCode: project.areaCode, status: 'in_library', content, source: 'seed', note: '演示数据：未经入库申报流程直接写入项目库（npm run seed）' },
        actorId: null, at: now,
      });
      return project.id;
    });
  }
}
