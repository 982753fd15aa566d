/**
 * Demo rectification items (issue 14): findings the seed documents report, in our own words,
 * handed over to the demo county's villages, townships and county units and taken to different
 * stages (整改中, 待验收, 已销号, one returned once) through the engine, as users would: every
 * step has its audit entry. Idempotent: a finding already recorded (same description) is skipped.
 */
import { calendarDate } from '../src/common/domain/calendar';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../src/common/auth/auth-user';
import { UserEntity } from '../src/database/entities';
import { toAuthUser } from '../src/modules/auth/users.service';
import { EngineService } from '../src/modules/engine/engine.service';
import { EvidenceService } from '../src/modules/evidence/evidence.service';
import { RectificationFindingEntity } from '../src/modules/rectification/rectification.entities';
import { RectificationService } from '../src/modules/rectification/rectification.service';

type Stage = 'rectifying' | 'acceptance' | 'closed' | 'returned';

interface DemoItem {
  recorder: string;
  finding: { source: string; category: string; description: string; areas: string[]; severity: string };
  assigner: string;
  areaCode: string;
  unit: string;
  person: string;
  measures: string;
  days: number;
  rectifier: string;
  acceptor: string;
  stage: Stage;
}

const DEMO_ITEMS: DemoItem[] = [
  {
    recorder: 's_xuchang',
    finding: { source: 'city_inspection', category: 'monitoring', description: '通过比对低保名单发现，整户享受低保的家庭中仅少数纳入防返贫监测，存在以低保代替监测、应纳未纳的风险', areas: ['411003100201'], severity: 'serious' },
    assigner: 'c_jianan', areaCode: '411003100201', unit: '霍庄村村民委员会', person: '李红梅',
    measures: '对近两年整户纳入低保的家庭逐户回头看，符合条件的按程序纳入监测；对不纳入的写明理由并存档',
    days: 60, rectifier: 'v_huozhuang', acceptor: 'c_jianan', stage: 'closed',
  },
  {
    recorder: 'c_jianan',
    finding: { source: 'county_self_check', category: 'monitoring', description: '个别监测户连续多年未消除风险，家庭无务工收入，村里没有安排对应的就业帮扶措施，帮扶不精准', areas: ['411003100202'], severity: 'general' },
    assigner: 't_lingjing', areaCode: '411003100202', unit: '大路陈村村民委员会', person: '陈建设',
    measures: '为该户制定一户一策帮扶计划，对接公益岗位或就近务工，按季度评估帮扶成效并录入系统',
    days: 45, rectifier: 'v_daluchen', acceptor: 't_lingjing', stage: 'returned',
  },
  {
    recorder: 's_jianan',
    finding: { source: 'provincial_assessment', category: 'work', description: '部分村风险消除缺少村级提出名单的会议记录、照片和签到表，五步法程序执行不规范', areas: ['411003101201'], severity: 'serious' },
    assigner: 'c_jianan', areaCode: '411003101201', unit: '张庄村村民委员会', person: '张卫东',
    measures: '补齐近一年风险消除的村级会议记录、照片和签到表；今后消除风险严格按村提出名单、入户核实、民主评议、乡镇审核、县级审定执行',
    days: 30, rectifier: 'v_zhangzhuang', acceptor: 'c_jianan', stage: 'acceptance',
  },
  {
    recorder: 's_jianan',
    finding: { source: 'audit', category: 'project_funds', description: '个别产业帮扶项目资产收益分配方案未公示，联农带农机制不清楚，带动脱贫户和监测户增收效果不明显', areas: ['411003000000'], severity: 'critical' },
    assigner: 'c_jianan', areaCode: '411003000000', unit: '建安区农业农村局', person: '冯涛',
    measures: '逐个项目核实资产权属和收益分配，补充公示收益分配方案，明确联农带农方式并纳入项目库管理',
    days: 90, rectifier: 'c_jianan2', acceptor: 'c_jianan', stage: 'rectifying',
  },
  {
    recorder: 'c_jianan',
    finding: { source: 'petition', category: 'welfare_posts', description: '群众反映个别公益性岗位人员长期不在岗，考勤记录与实际出勤不符，存在占岗不做事现象', areas: ['411003100000'], severity: 'general' },
    assigner: 'c_jianan', areaCode: '411003100000', unit: '灵井镇人民政府', person: '王志强',
    measures: '全面核查公益性岗位在岗履职情况，建立月考勤公示制度，对长期不在岗的按协议解除并重新聘用',
    days: 20, rectifier: 't_lingjing2', acceptor: 'c_jianan', stage: 'rectifying',
  },
];

const PDF = (label: string) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${label}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
const date = (days: number) => calendarDate(Date.now() + days * 86400_000);

export async function seedRectification(app: INestApplicationContext): Promise<{ findings: number; items: number }> {
  const ds = app.get(DataSource);
  const service = app.get(RectificationService);
  const engine = app.get(EngineService);
  const evidence = app.get(EvidenceService);
  const users = new Map<string, AuthUser>();
  const user = async (username: string) => {
    if (!users.has(username)) users.set(username, toAuthUser(await ds.getRepository(UserEntity).findOneByOrFail({ username })));
    return users.get(username)!;
  };
  let n = 0;
  const key = () => `seed-rectification-${Date.now()}-${n++}`;
  const report = { findings: 0, items: 0 };
  for (const d of DEMO_ITEMS) {
    if (await ds.getRepository(RectificationFindingEntity).existsBy({ description: d.finding.description })) continue;
    const finding = await service.record(await user(d.recorder), d.finding);
    report.findings++;
    let view = await engine.create(
      'rectification',
      { findingId: finding.id, areaCode: d.areaCode, responsibleUnit: d.unit, responsiblePerson: d.person, measures: d.measures, deadline: date(d.days) },
      await user(d.assigner),
    );
    report.items++;
    const step = async (actor: string, type: string, data: Record<string, unknown>, opts: { evidence?: boolean; reason?: string } = {}) => {
      const by = await user(actor);
      const evidenceIds = opts.evidence ? [(await evidence.upload({ buffer: PDF(`${view.id}-${type}-${n}`), originalname: '整改佐证.pdf', size: 80 }, { type: 'rectification_evidence', caseId: view.id }, by)).id] : [];
      view = await engine.apply({ caseId: view.id, type, version: view.version, evidenceIds, data, reason: opts.reason ?? null }, by, key());
    };
    const progress = () => step(d.rectifier, 'RECORD_PROGRESS', { progress: `已按整改措施开展工作：${d.measures.slice(0, 40)}，相关材料已归档` }, { evidence: true });
    const apply = () =>
      step(d.rectifier, 'APPLY_CLOSURE', {
        summary: '整改措施已全部落实，佐证材料已上传',
        similarChecks: [{ target: '本乡镇其他村', result: '同步开展同类问题排查，发现的问题已一并整改' }],
      });
    if (d.stage === 'rectifying') {
      if (d.days < 30) await progress();
      continue;
    }
    await progress();
    await apply();
    if (d.stage === 'returned') {
      await step(d.acceptor, 'RETURN', {}, { reason: '帮扶计划未明确务工岗位和收入目标，请补充后再申请销号' });
      await progress();
      continue;
    }
    if (d.stage === 'closed') await step(d.acceptor, 'ACCEPT', { opinion: '经入户抽查核实，整改到位，同意销号' });
  }
  return report;
}
