import { isIsoDuration } from '../domain/duration';
import { defaultPolicyValues, isPolicyKey, POLICY_KEYS, type PolicyKey, policyValueProblem } from './policy-keys';

const MONEY = '应为非负金额（最多两位小数）';
const DURATION = '应为 ISO-8601 时长，例如 P5D、P6M、PT2S';
const RATIO = '应为 0 到 1 之间的比例';
const INTEGER = '应为非负整数';
const ID_LIST = '应为字符串数组';
const SECTOR_MAP = '应为 类别 → 部门列表 的映射';

describe('defaultPolicyValues', () => {
  it.each([
    ['monitoring.incomeLine', 7500],
    ['inclusion.deadline', 'P15D'],
    ['inclusion.noticePeriod', 'P5D'],
    ['elimination.minMonitoringPeriod', 'P6M'],
    ['elimination.incomeStablePeriod', 'P6M'],
    ['elimination.concentrationThreshold', 0.3],
    ['elimination.concentrationWindow', 'P30D'],
    ['records.maxBackdate', 'P30D'],
    ['posts.minAge', 16],
    ['posts.maxAge', 65],
    ['posts.neverAge', 80],
    ['posts.maxPerPerson', 1],
    ['posts.maxPerHousehold', 1],
    ['posts.maxMembersAway', 2],
    ['posts.maxTermMonths', 12],
    ['posts.minAttendanceDays', 8],
    ['projects.noticePeriod', 'P10D'],
    ['projects.industryShareMin', 0.6],
  ])('sets %s to %p', (key, value) => {
    const values = defaultPolicyValues() as Record<string, unknown>;
    expect(values).toHaveProperty([key]);
    expect(values[key]).toEqual(value);
  });

  it.each(['elimination.noticePeriod', 'posts.noticePeriod'])('sets %s to an ISO-8601 duration', (key) => {
    const values = defaultPolicyValues() as Record<string, unknown>;
    expect(POLICY_KEYS[key as PolicyKey].type).toBe('duration');
    expect(isIsoDuration(values[key])).toBe(true);
  });

  it('sets projects.negativeList to a non-empty list of distinct ids', () => {
    const list = defaultPolicyValues()['projects.negativeList'];
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBeGreaterThan(0);
    expect(new Set(list).size).toBe(list.length);
    for (const id of list) expect(id).toMatch(/^[a-z_]+$/);
  });

  it('sets projects.departmentsByCategory to a category → departments map that includes industry', () => {
    const map = defaultPolicyValues()['projects.departmentsByCategory'];
    expect(map).toEqual(expect.objectContaining({ industry: expect.any(Array) }));
    for (const departments of Object.values(map)) {
      expect(departments.length).toBeGreaterThan(0);
      for (const d of departments) expect(typeof d).toBe('string');
    }
  });

  it('has exactly the keys of POLICY_KEYS', () => {
    expect(Object.keys(defaultPolicyValues()).sort()).toEqual(Object.keys(POLICY_KEYS).sort());
  });

  it('gives each key a default that its own type accepts', () => {
    const values = defaultPolicyValues();
    for (const key of Object.keys(POLICY_KEYS) as PolicyKey[]) {
      expect({ key, problem: policyValueProblem(key, values[key]) }).toEqual({ key, problem: null });
    }
  });

  it('returns fresh copies that callers may mutate without affecting later calls', () => {
    const first = defaultPolicyValues();
    first['projects.negativeList'].push('mutated');
    first['projects.departmentsByCategory'].industry.push('mutated');
    first['projects.departmentsByCategory'].newCategory = ['x'];
    first['monitoring.incomeLine'] = 1;

    const second = defaultPolicyValues();
    expect(second['projects.negativeList']).not.toContain('mutated');
    expect(second['projects.departmentsByCategory'].industry).toEqual(['agriculture']);
    expect(second['projects.departmentsByCategory']).not.toHaveProperty('newCategory');
    expect(second['monitoring.incomeLine']).toBe(7500);
    expect(POLICY_KEYS['projects.negativeList'].default).not.toContain('mutated');
  });

  it('does not share arrays between two calls', () => {
    const a = defaultPolicyValues();
    const b = defaultPolicyValues();
    expect(a['projects.negativeList']).not.toBe(b['projects.negativeList']);
    expect(a['projects.departmentsByCategory']).not.toBe(b['projects.departmentsByCategory']);
    expect(a['projects.negativeList']).not.toBe(POLICY_KEYS['projects.negativeList'].default);
  });
});

describe('isPolicyKey', () => {
  it('recognises a known key', () => {
    expect(isPolicyKey('monitoring.incomeLine')).toBe(true);
  });

  it('rejects unknown keys and inherited object properties', () => {
    expect(isPolicyKey('monitoring.incomeline')).toBe(false);
    expect(isPolicyKey('toString')).toBe(false);
    expect(isPolicyKey('__proto__')).toBe(false);
    expect(isPolicyKey('')).toBe(false);
  });
});

describe('policyValueProblem', () => {
  describe('money (monitoring.incomeLine)', () => {
    const key: PolicyKey = 'monitoring.incomeLine';

    it.each([0, 7500, 6650.5, 6650.35, 7500.55])('accepts %p', (v) => {
      expect(policyValueProblem(key, v)).toBeNull();
    });

    // These have two decimals but v * 100 is not an exact integer in binary floating point
    it.each([0.29, 1.15, 19.99, 0.07, 7500.29])('accepts %p (two decimals)', (v) => {
      expect(policyValueProblem(key, v)).toBeNull();
    });

    it.each([
      ['negative', -1],
      ['three decimals', 7500.123],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['a numeric string', '7500'],
      ['null', null],
    ])('rejects %s', (_label, v) => {
      expect(policyValueProblem(key, v)).toBe(MONEY);
    });
  });

  describe('duration (inclusion.deadline)', () => {
    const key: PolicyKey = 'inclusion.deadline';

    it.each(['P15D', 'P6M', 'PT2S', 'P1Y', 'P2W', 'P1DT12H'])('accepts %p', (v) => {
      expect(policyValueProblem(key, v)).toBeNull();
    });

    it.each([
      ['plain words', '5 days'],
      ['empty string', ''],
      ['a number', 15],
      ['lower case', 'p15d'],
      ['missing P', '15D'],
      ['null', null],
    ])('rejects %s', (_label, v) => {
      expect(policyValueProblem(key, v)).toBe(DURATION);
    });

    it('rejects a bare P without any component', () => {
      expect(policyValueProblem(key, 'P')).toBe(DURATION);
    });
  });

  describe('ratio (elimination.concentrationThreshold)', () => {
    const key: PolicyKey = 'elimination.concentrationThreshold';

    it.each([0, 0.3, 0.6, 1])('accepts %p', (v) => {
      expect(policyValueProblem(key, v)).toBeNull();
    });

    it.each([
      ['negative', -0.01],
      ['above 1', 1.01],
      ['a percentage', 30],
      ['NaN', NaN],
      ['a string', '0.3'],
      ['null', null],
    ])('rejects %s', (_label, v) => {
      expect(policyValueProblem(key, v)).toBe(RATIO);
    });
  });

  describe.each([
    // posts.maxPerPerson is a count too, but capped at 1 (below)
    ['count', 'posts.maxPerHousehold'],
    ['years', 'posts.minAge'],
    ['months', 'posts.maxTermMonths'],
    ['days', 'posts.minAttendanceDays'],
  ] as Array<[string, PolicyKey]>)('%s (%s)', (type, key) => {
    it('is typed as ' + type, () => {
      expect(POLICY_KEYS[key].type).toBe(type);
    });

    it.each([0, 1, 16, 80])('accepts %p', (v) => {
      expect(policyValueProblem(key, v)).toBeNull();
    });

    it.each([
      ['negative', -1],
      ['fractional', 1.5],
      ['a numeric string', '16'],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['null', null],
    ])('rejects %s', (_label, v) => {
      expect(policyValueProblem(key, v)).toBe(INTEGER);
    });
  });

  it('bypass: a policy cannot lift one person, one post — posts.maxPerPerson is 0 or 1 (SF-14, issue 12)', () => {
    expect(policyValueProblem('posts.maxPerPerson', 0)).toBeNull();
    expect(policyValueProblem('posts.maxPerPerson', 1)).toBeNull();
    expect(policyValueProblem('posts.maxPerPerson', 2)).toMatch(/一人只能聘用一个公益性岗位/);
    expect(policyValueProblem('posts.maxPerPerson', -1)).toBe(INTEGER);
  });

  it('posts.capDefault is one cap: perHouseholds and/or absolute (SF-12, issue 12)', () => {
    expect(POLICY_KEYS['posts.capDefault'].type).toBe('postCap');
    expect(policyValueProblem('posts.capDefault', { perHouseholds: 50 })).toBeNull();
    expect(policyValueProblem('posts.capDefault', { absolute: 2, perHouseholds: 30 })).toBeNull();
    for (const bad of [{}, null, [], { perHouseholds: 0 }, { absolute: -1 }, { perHouseholds: 50, other: 1 }, 'P1']) {
      expect(policyValueProblem('posts.capDefault', bad)).not.toBeNull();
    }
  });

  it('the text rule’s parameters are policies: minimum lengths and the placeholder list (issue 12)', () => {
    for (const key of ['reasons.minLength', 'reasons.opinionMinLength', 'reasons.justificationMinLength'] as PolicyKey[]) {
      expect(POLICY_KEYS[key].type).toBe('count');
    }
    expect(POLICY_KEYS['reasons.placeholders'].default).toEqual(expect.arrayContaining(['无', '同意', '见附件']));
    expect(policyValueProblem('reasons.placeholders', ['无', '已核实'])).toBeNull();
    expect(policyValueProblem('reasons.placeholders', ['无', ''])).not.toBeNull();
  });

  describe('idList (projects.negativeList)', () => {
    const key: PolicyKey = 'projects.negativeList';

    it('accepts a list of ids', () => {
      expect(policyValueProblem(key, ['office_buildings', 'debt_repayment'])).toBeNull();
    });

    it.each([
      ['a string', 'office_buildings'],
      ['a list with an empty string', ['office_buildings', '']],
      ['a list with a number', ['office_buildings', 3]],
      ['an object', { 0: 'office_buildings' }],
      ['null', null],
    ])('rejects %s', (_label, v) => {
      expect(policyValueProblem(key, v)).toBe(ID_LIST);
    });
  });

  describe('sectorMap (projects.departmentsByCategory)', () => {
    const key: PolicyKey = 'projects.departmentsByCategory';

    it('accepts a category → departments map', () => {
      expect(policyValueProblem(key, { industry: ['agriculture', 'human_resources'], roads: ['transport'] })).toBeNull();
    });

    it('rejects a department that is not a known sector', () => {
      expect(policyValueProblem(key, { industry: ['agriculture', 'forestry'] })).toMatch(/^应为 类别 → 部门列表 的映射/);
    });

    it.each([
      ['null', null],
      ['an array', [['agriculture']]],
      ['a string', 'industry'],
      ['a department given as a string', { industry: 'agriculture' }],
      ['a department list with a number', { industry: ['agriculture', 1] }],
      ['a department list with an empty name', { industry: [''] }],
    ])('rejects %s', (_label, v) => {
      expect(policyValueProblem(key, v)?.startsWith(SECTOR_MAP)).toBe(true);
    });
  });
});
