import { dataOf, fieldsOf, initialValues, optionsOf, withStateTitles } from './schema';

/** The console's form renderer (issue 20) reads the definitions as they are today and as they will be with `title` / `oneOf`. */
describe('console form renderer', () => {
  const today = {
    type: 'object',
    required: ['conclusion', 'income'],
    properties: {
      conclusion: { enum: ['include', 'exclude'], description: '核实结论：include 建议纳入 / exclude 建议不纳入' },
      members: { type: 'integer', description: '家庭人口数（按汇总录入时必填）' },
      income: { type: 'object', required: ['periodStart'], properties: { periodStart: { type: 'string', format: 'date' }, wage: { type: 'number', description: '工资性收入' } } },
      guarantees: { type: 'object', properties: { water: { type: 'boolean', description: '饮水安全有保障' } } },
      riskTypes: { type: 'array', items: { enum: ['illness', 'other'] } },
      lines: { type: 'array', items: { type: 'object', properties: { amount: { type: 'number' } } } },
      note: { type: 'string', maxLength: 2000 },
    },
  };
  const merged = {
    type: 'object',
    properties: {
      conclusion: { title: '核实结论', enum: ['include', 'exclude'], oneOf: [{ const: 'include', title: '建议纳入' }, { const: 'exclude', title: '建议不纳入' }], description: '核实结论：include 建议纳入 / exclude 建议不纳入' },
      members: { type: 'integer', title: '家庭人口', description: '家庭人口数（按汇总录入时必填）' },
      riskTypes: { type: 'array', title: '风险类型', items: { enum: ['illness', 'other'], oneOf: [{ const: 'illness', title: '因病' }, { const: 'other', title: '其他' }] } },
    },
  };

  it('labels: the title when given, else the head of the description, else the name; choices from oneOf, else the description\'s pairs, else the values', () => {
    const before = Object.fromEntries(fieldsOf(today).map((f) => [f.path, f]));
    expect(before.conclusion.label).toBe('核实结论');
    expect(before.conclusion.options).toEqual([{ value: 'include', label: '建议纳入' }, { value: 'exclude', label: '建议不纳入' }]);
    expect(before.members.label).toBe('家庭人口数');
    expect(before.members.kind).toBe('number');
    expect(before['income.periodStart']).toMatchObject({ label: 'periodStart', kind: 'date', required: true, group: 'income' });
    expect(before['guarantees.water']).toMatchObject({ label: '饮水安全有保障', kind: 'checkbox', required: false });
    expect(before.riskTypes.options.map((o) => o.label)).toEqual(['illness', 'other']);
    expect(before.lines.kind).toBe('json');
    expect(before.note.kind).toBe('textarea');
    const after = Object.fromEntries(fieldsOf(merged).map((f) => [f.path, f]));
    expect(after.conclusion.label).toBe('核实结论');
    expect(after.members.label).toBe('家庭人口');
    expect(after.riskTypes).toMatchObject({ label: '风险类型', kind: 'multi' });
    expect(after.riskTypes.options.map((o) => o.label)).toEqual(['因病', '其他']);
    expect(optionsOf({ enum: ['a'] })).toEqual([{ value: 'a', label: 'a' }]);
  });

  it('data: typed values, nested by path, empty optional fields left out, required flags sent as false', () => {
    const fields = fieldsOf({ ...today, properties: { ...today.properties, guarantees: { type: 'object', required: ['water'], properties: { water: { type: 'boolean' } } } }, required: ['conclusion', 'income', 'guarantees'] });
    const values = initialValues(fields);
    values.conclusion = 'include';
    values['income.periodStart'] = '2025-11-01';
    values['income.wage'] = '6000.5';
    values.riskTypes = ['illness'];
    values.lines = '[{"amount": 3}]';
    expect(dataOf(fields, values)).toEqual({ conclusion: 'include', income: { periodStart: '2025-11-01', wage: 6000.5 }, guarantees: { water: false }, riskTypes: ['illness'], lines: [{ amount: 3 }] });
  });

  it('a choice that names a state reads as the state\'s title unless the schema titles it', () => {
    const f = withStateTitles(fieldsOf({ type: 'object', properties: { toState: { enum: ['lead', 'x'] } } }), { states: [{ id: 'lead', title: '线索' }] });
    expect(f[0].options).toEqual([{ value: 'lead', label: '线索' }, { value: 'x', label: 'x' }]);
  });
});
