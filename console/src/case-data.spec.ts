import { describeProcedure } from '../../src/modules/engine/introspection';
import { monitoringInclusion } from '../../src/machines/monitoring-inclusion.machine';
import { beijingMinute, caseDataRows, type DataRow } from './case-data';

/** The case page's 案件数据 (issue 20): words from the definition, not keys, JSON, UTC instants or ids. */
describe('console case data', () => {
  const def = {
    events: [
      {
        type: 'RECORD_VERIFICATION',
        fields: {
          type: 'object',
          properties: {
            conclusion: { title: '核实结论', enum: ['include', 'exclude'], oneOf: [{ const: 'include', title: '建议纳入' }, { const: 'exclude', title: '建议不纳入' }] },
            members: { type: 'integer', title: '家庭人口数' },
            income: {
              type: 'object',
              title: '家庭收入',
              properties: {
                periodStart: { type: 'string', format: 'date', title: '核算期间起' },
                wage: { type: 'number', title: '工资性收入' },
                businessNet: { type: 'number', title: '生产经营性净收入' },
                lines: { type: 'array', title: '收入明细', items: { type: 'object', properties: { category: { title: '收入类别', enum: ['wage', 'family_support'], oneOf: [{ const: 'wage', title: '工资性收入' }, { const: 'family_support', title: '赡养费' }] } } } },
              },
            },
            guarantees: { type: 'object', title: '三保障和饮水安全', properties: { water: { type: 'boolean', title: '饮水安全有保障' } } },
            riskTypes: { type: 'array', title: '风险类型', items: { enum: ['illness'], oneOf: [{ const: 'illness', title: '因病' }] } },
            monitoringType: { title: '监测对象类型', enum: ['sudden_hardship'], oneOf: [{ const: 'sudden_hardship', title: '突发严重困难户' }] },
          },
        },
      },
      { type: 'PUBLISH_NOTICE', fields: { type: 'object', properties: { text: { type: 'string', title: '公示内容' }, endsAt: { type: 'string', format: 'date-time', title: '公示结束时间' } } } },
    ],
  };
  const recorder = 'cc2ed611-790a-4817-b3aa-a42448aad348';
  const household = '3b236d8f-69c9-4333-9ed2-91360701bb82';
  const data = {
    householdId: household,
    channel: 'cadre_visit',
    urgent: false,
    verification: {
      conclusion: 'include',
      members: 3,
      income: { periodStart: '2025-11-01', wage: 6000, businessNet: 2000 },
      guarantees: { water: true },
      riskTypes: ['illness'],
      monitoringType: 'sudden_hardship',
      byCategory: { wage: 6000, business_net: 2000, family_support: 0 },
      byMember: [],
      signals: { incomeBelowLine: true },
      recordedBy: recorder,
      recordedAt: '2026-12-06T20:02:44.580Z',
    },
    notice: { text: '公示', startsAt: '2026-12-06T16:00:00.000Z', endsAt: '2026-12-06T20:02:51.322Z' },
    returns: 0,
    emptyThing: null,
  };
  const flat = (rows: DataRow[], at = ''): Record<string, string> =>
    Object.assign({}, ...rows.map((r) => (r.children ? { [`${at}${r.label}`]: '…', ...flat(r.children, `${at}${r.label}/`) } : { [`${at}${r.label}`]: r.value! })));

  it('labels from the schema whose data a key holds, nested too; choices by their titles; booleans 是/否; instants in Beijing time; the fallback table for what no schema names', () => {
    const rows = flat(caseDataRows(data, def));
    expect(rows).toMatchObject({
      线索来源: '干部走访排查',
      紧急: '否',
      入户核实: '…',
      '入户核实/核实结论': '建议纳入',
      '入户核实/家庭人口数': '3',
      '入户核实/家庭收入/核算期间起': '2025-11-01',
      '入户核实/家庭收入/生产经营性净收入': '2000',
      '入户核实/三保障和饮水安全/饮水安全有保障': '是',
      '入户核实/风险类型': '因病',
      '入户核实/监测对象类型': '突发严重困难户',
      '入户核实/分类收入/工资性收入': '6000',
      '入户核实/分类收入/生产经营性净收入': '2000',
      '入户核实/分类收入/赡养费': '0',
      '入户核实/风险信号/收入低于监测线': '是',
      '入户核实/录入时间': '2026-12-07 04:02',
      '公示/公示内容': '公示',
      '公示/开始时间': '2026-12-07 00:00',
      '公示/公示结束时间': '2026-12-07 04:02',
      退回次数: '0',
    });
    const text = JSON.stringify(rows);
    for (const raw of ['householdId', 'verification', 'conclusion', 'include', 'sudden_hardship', 'cadre_visit', 'business_net', 'recordedBy', recorder, household, '2026-12-06T', 'emptyThing']) expect(text).not.toContain(raw);
  });

  it('ids are shown by the names the page knows, else hidden', () => {
    const rows = flat(caseDataRows(data, def, { [household]: '王建国', [recorder]: 'v_huozhuang' }));
    expect(rows['农户']).toBe('王建国');
    expect(rows['入户核实/录入人']).toBe('v_huozhuang');
  });

  it('lists of objects as numbered nested lists with their item schema', () => {
    const rows = caseDataRows({ verification: { income: { lines: [{ category: 'family_support' }] } } }, def);
    expect(flat(rows)).toMatchObject({ '入户核实/家庭收入/收入明细/第 1 项/收入类别': '赡养费' });
  });

  it('on the published monitoring-inclusion definition: verification, appraisal and approval take the titles of the events whose data they hold', () => {
    const published = describeProcedure(monitoringInclusion as any);
    const rows = flat(caseDataRows({
      ...data,
      appraisal: { result: 'passed', recordedAt: '2026-12-06T20:02:46.245Z' },
      approval: { monitoringType: 'sudden_hardship', riskTypes: ['illness'], startDate: '2026-12-07', assistanceContact: { name: '孙立新', unit: '建安区乡村振兴局', phone: '13903740000' } },
      townshipOpinion: '同意上报',
    }, published));
    expect(rows).toMatchObject({
      '入户核实/核实结论': '建议纳入',
      '入户核实/三保障和饮水安全/饮水安全有保障': '是',
      '入户核实/分类收入/赡养费（赡养收入，转移性）': '0',
      '民主评议/评议结果': '评议通过',
      '县级审定/监测对象类型': '突发严重困难户',
      '县级审定/纳入监测日期': '2026-12-07',
      '县级审定/帮扶责任人/工作单位': '建安区乡村振兴局',
      乡镇审核意见: '同意上报',
    });
    expect(JSON.stringify(rows)).not.toMatch(/assistanceContact|monitoringType|passed|sudden_hardship|illness/);
  });

  it('Beijing time whatever the hour, across midnight', () => {
    expect(beijingMinute('2026-12-31T16:30:00Z')).toBe('2027-01-01 00:30');
    expect(beijingMinute('2026-12-31T15:59:59.999Z')).toBe('2026-12-31 23:59');
  });
});
