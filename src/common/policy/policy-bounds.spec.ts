import {
  boundShapeProblem,
  boundViolation,
  boundViolations,
  DEFAULT_POLICY_BOUNDS,
  defaultPolicyBounds,
  durationMillis,
  type PolicyBound,
} from './policy-bounds';
import { defaultPolicyValues, POLICY_KEYS, type PolicyKey } from './policy-keys';

const CJK = /[\u4e00-\u9fff]/;
const bound = (key: PolicyKey) => DEFAULT_POLICY_BOUNDS[key] as PolicyBound;
const inside = (key: PolicyKey, value: unknown) => boundViolation(key, value, bound(key)) === null;

describe('issue 12: the national default bounds', () => {
  it('has one bound for every policy key, and no other', () => {
    expect(Object.keys(DEFAULT_POLICY_BOUNDS).sort()).toEqual(Object.keys(POLICY_KEYS).sort());
  });

  it('holds every national default value inside its bound', () => {
    expect(boundViolations(defaultPolicyValues() as unknown as Record<string, unknown>, defaultPolicyBounds())).toEqual([]);
  });

  it('gives every key a well-formed bound', () => {
    for (const key of Object.keys(POLICY_KEYS) as PolicyKey[]) {
      expect({ key, problem: boundShapeProblem(key, bound(key)) }).toEqual({ key, problem: null });
    }
  });

  it('returns fresh copies', () => {
    const a = defaultPolicyBounds();
    (a['projects.negativeList'] as { mustInclude: string[] }).mustInclude.pop();
    expect(defaultPolicyBounds()['projects.negativeList']).toEqual(DEFAULT_POLICY_BOUNDS['projects.negativeList']);
  });
});

describe('bound checks at their edges', () => {
  it.each([
    ['posts.neverAge', 65, true],
    ['posts.neverAge', 80, true],
    ['posts.neverAge', 81, false],
    ['posts.neverAge', 64, false],
    ['posts.neverAge', 200, false],
    ['monitoring.incomeLine', 6900, true],
    ['monitoring.incomeLine', 6899.99, false],
    ['monitoring.incomeLine', 25000, true],
    ['monitoring.incomeLine', 25000.01, false],
    ['elimination.concentrationThreshold', 0.1, true],
    ['elimination.concentrationThreshold', 0.5, true],
    ['elimination.concentrationThreshold', 0.51, false],
    ['elimination.concentrationThreshold', 1, false],
    ['posts.maxPerPerson', 1, true],
    ['posts.maxPerPerson', 2, false],
    ['posts.maxPerPerson', 0, false],
  ] as Array<[PolicyKey, number, boolean]>)('number %s = %p inside: %p', (key, value, ok) => {
    expect(inside(key, value)).toBe(ok);
  });

  it.each([
    ['inclusion.noticePeriod', 'P3D', true],
    ['inclusion.noticePeriod', 'PT72H', true],
    ['inclusion.noticePeriod', 'P2DT23H59M59S', false],
    ['inclusion.noticePeriod', 'PT1S', false],
    ['inclusion.noticePeriod', 'P7D', true],
    ['inclusion.noticePeriod', 'P1W', true],
    ['inclusion.noticePeriod', 'P7DT1S', false],
    ['elimination.minMonitoringPeriod', 'P6M', true],
    ['elimination.minMonitoringPeriod', 'P180D', true],
    ['elimination.minMonitoringPeriod', 'P179D', false],
    ['projects.noticePeriod', 'P10D', true],
    ['projects.noticePeriod', 'P9DT23H', false],
  ] as Array<[PolicyKey, string, boolean]>)('duration %s = %p inside: %p', (key, value, ok) => {
    expect(inside(key, value)).toBe(ok);
  });

  it('counts a month as 30 days and a year as 365', () => {
    expect(durationMillis('P1M')).toBe(durationMillis('P30D'));
    expect(durationMillis('P1Y')).toBe(durationMillis('P365D'));
  });

  it('names the key, the value and the bound in Chinese', () => {
    const v = boundViolation('posts.neverAge', 200, bound('posts.neverAge'))!;
    expect(v).toMatchObject({ key: 'posts.neverAge', value: 200, bound: { min: 65, max: 80 } });
    expect(v.message).toMatch(CJK);
    expect(v.message).toContain('posts.neverAge = 200');
    expect(v.message).toContain('80');
    const d = boundViolation('inclusion.noticePeriod', 'PT2S', bound('inclusion.noticePeriod'))!;
    expect(d.message).toContain('PT2S');
    expect(d.message).toContain('P3D');
  });

  describe('duration lists (elimination.followUpVisits)', () => {
    const key: PolicyKey = 'elimination.followUpVisits';
    it.each([
      [['P3M', 'P6M'], true],
      [['P1M'], true],
      [['P2Y'], true],
      [[], false],
      [['P3M', 'P29D'], false],
      [['P3M', 'P2Y1D'], false],
    ])('%p inside: %p', (value, ok) => {
      expect(inside(key, value)).toBe(ok);
    });
  });

  describe('id lists (projects.negativeList): the national entries cannot be removed', () => {
    const key: PolicyKey = 'projects.negativeList';
    const NATIONAL = ['unit_basic_expenditure', 'vehicles_and_communication', 'office_buildings', 'bonuses_and_allowances', 'debt_repayment'];
    it('accepts the national five, with or without local ones', () => {
      expect(inside(key, NATIONAL)).toBe(true);
      expect(inside(key, [...NATIONAL, 'non_agricultural', 'golf_courses'])).toBe(true);
    });
    it('refuses an emptied list, naming the missing entries', () => {
      const v = boundViolation(key, [], bound(key))!;
      expect(v.message).toContain('office_buildings');
      expect(v.message).toMatch(CJK);
    });
    it('refuses a list missing one national entry', () => {
      expect(inside(key, NATIONAL.slice(1))).toBe(false);
    });
    it('counts distinct entries against minItems', () => {
      const b = { mustInclude: [], minItems: 2 };
      expect(boundViolation(key, ['a_b', 'a_b'], b)).not.toBeNull();
      expect(boundViolation(key, ['a_b', 'c_d'], b)).toBeNull();
    });
  });

  describe('choices', () => {
    it('keeps households without labour capacity in monitoring', () => {
      expect(inside('elimination.keepNoLabourInMonitoring', true)).toBe(true);
      expect(inside('elimination.keepNoLabourInMonitoring', false)).toBe(false);
    });
    it('allows both approvers of posts', () => {
      expect(inside('posts.approver', 'county')).toBe(true);
      expect(inside('posts.approver', 'human_resources')).toBe(true);
    });
  });

  describe('post caps (posts.capPerVillage)', () => {
    const key: PolicyKey = 'posts.capPerVillage';
    const caps = { cleaner: { perHouseholds: 50 }, forest_ranger: { perHouseholds: 50 }, road_maintainer: { absolute: 5 } };
    it.each([
      ['the defaults', caps, true],
      ['one per 20 households (the edge)', { ...caps, cleaner: { perHouseholds: 20 } }, true],
      ['one per 19 households', { ...caps, cleaner: { perHouseholds: 19 } }, false],
      ['20 in all (the edge)', { ...caps, road_maintainer: { absolute: 20 } }, true],
      ['21 in all', { ...caps, road_maintainer: { absolute: 21 } }, false],
      ['a local post type too', { ...caps, water_keeper: { absolute: 2 } }, true],
      ['a local post type too loose', { ...caps, water_keeper: { absolute: 99 } }, false],
      ['caps removed', {}, false],
      ['the cleaner cap removed', { forest_ranger: caps.forest_ranger, road_maintainer: caps.road_maintainer }, false],
    ])('%s inside: %p', (_label, value, ok) => {
      expect(inside(key, value)).toBe(ok);
    });
  });

  describe('sector maps (projects.departmentsByCategory)', () => {
    const key: PolicyKey = 'projects.departmentsByCategory';
    it('keeps agriculture on industry; other categories are local', () => {
      expect(inside(key, { industry: ['agriculture', 'human_resources'], roads: ['transport'] })).toBe(true);
      expect(inside(key, { industry: ['human_resources'] })).toBe(false);
      expect(inside(key, { roads: ['transport'] })).toBe(false);
    });
  });

  describe('per-gender minimum ages', () => {
    it('holds both ages to the bound', () => {
      expect(inside('posts.genderMinAge', { enabled: true, male: 65, female: 16 })).toBe(true);
      expect(inside('posts.genderMinAge', { enabled: true, male: 66, female: 40 })).toBe(false);
      expect(inside('posts.genderMinAge', { enabled: false, male: 50, female: 15 })).toBe(false);
    });
  });

  it('boundViolations skips nulls, unknown keys and values of the wrong type (reported as type errors)', () => {
    const b = defaultPolicyBounds();
    expect(boundViolations({ 'posts.neverAge': null, nope: 1, 'posts.maxAge': '65' }, b)).toEqual([]);
    expect(boundViolations({ 'posts.neverAge': 90, 'posts.maxAge': 60, 'inclusion.noticePeriod': 'PT1S' }, b).map((v) => v.key)).toEqual([
      'posts.neverAge',
      'inclusion.noticePeriod',
    ]);
  });
});

describe('boundShapeProblem', () => {
  it.each([
    ['inclusion.noticePeriod', { min: 'PT1S', max: 'P7D' }],
    ['inclusion.noticePeriod', { min: 'P7D', max: 'P7D' }],
    ['posts.neverAge', { min: 80, max: 80 }],
    ['monitoring.incomeLine', { min: 0, max: 100000 }],
    ['elimination.concentrationThreshold', { min: 0, max: 1 }],
    ['elimination.followUpVisits', { min: 'PT1S', max: 'P2Y', minItems: 0 }],
    ['elimination.keepNoLabourInMonitoring', { allowed: [true, false] }],
    ['projects.negativeList', { mustInclude: [], minItems: 0 }],
    ['projects.departmentsByCategory', { requiredSectors: {} }],
    ['posts.capPerVillage', { requiredPostTypes: [], minPerHouseholds: 1, maxAbsolute: 0 }],
    ['posts.genderMinAge', { min: 0, max: 120 }],
  ] as Array<[PolicyKey, unknown]>)('accepts %s %p', (key, b) => {
    expect(boundShapeProblem(key, b)).toBeNull();
  });

  it.each([
    ['inclusion.noticePeriod', { min: 'P8D', max: 'P7D' }, '下限不能长于上限'],
    ['inclusion.noticePeriod', { min: 'three days', max: 'P7D' }, 'ISO-8601'],
    ['inclusion.noticePeriod', { min: 'PT1S' }, '缺少边界字段 max'],
    ['inclusion.noticePeriod', { min: 'PT1S', max: 'P7D', floor: 'P1D' }, '未知的边界字段 floor'],
    ['posts.neverAge', { min: 81, max: 80 }, '下限不能大于上限'],
    ['posts.neverAge', { min: 65.5, max: 80 }, '上下限应为此参数可取的值'],
    ['elimination.concentrationThreshold', { min: 0, max: 1.5 }, '上下限应为此参数可取的值'],
    ['elimination.followUpVisits', { min: 'P1M', max: 'P2Y', minItems: 13 }, 'minItems'],
    ['elimination.keepNoLabourInMonitoring', { allowed: [] }, 'allowed'],
    ['elimination.keepNoLabourInMonitoring', { allowed: ['yes'] }, 'allowed'],
    ['projects.negativeList', { mustInclude: 'office_buildings', minItems: 1 }, 'mustInclude'],
    ['projects.departmentsByCategory', { requiredSectors: { industry: ['forestry'] } }, 'requiredSectors'],
    ['posts.capPerVillage', { requiredPostTypes: ['cleaner'], minPerHouseholds: 0, maxAbsolute: 5 }, 'minPerHouseholds'],
    ['posts.genderMinAge', { min: 0, max: 121 }, '上下限'],
    ['posts.neverAge', null, '边界应为对象'],
    ['posts.neverAge', [65, 80], '边界应为对象'],
  ] as Array<[PolicyKey, unknown, string]>)('refuses %s %p', (key, b, text) => {
    const problem = boundShapeProblem(key, b);
    expect(problem).toContain(text);
    expect(problem).toMatch(CJK);
  });
});
