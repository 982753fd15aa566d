/**
 * 统计用区划代码: province 2, city 4, county 6, township 9, village 12 significant digits.
 */
export type AreaLevel = 'province' | 'city' | 'county' | 'township' | 'village';

const SIGNIFICANT: Record<AreaLevel, number> = { province: 2, city: 4, county: 6, township: 9, village: 12 };
export const AREA_LEVELS: AreaLevel[] = ['province', 'city', 'county', 'township', 'village'];
const AREA_CODE = /^\d{12}$/;

export function isAreaCode(code: unknown): code is string {
  return typeof code === 'string' && AREA_CODE.test(code) && levelOf(code) !== null;
}

/** The level a 12-digit code denotes, from its trailing zeros; null if malformed. */
export function levelOf(code: string): AreaLevel | null {
  if (!AREA_CODE.test(code)) return null;
  for (const level of AREA_LEVELS) {
    if (/^0*$/.test(code.slice(SIGNIFICANT[level]))) {
      // every segment down to this level must be set: 410000000001 is no code at all
      const upTo = AREA_LEVELS.slice(0, AREA_LEVELS.indexOf(level) + 1);
      let start = 0;
      for (const l of upTo) {
        if (/^0+$/.test(code.slice(start, SIGNIFICANT[l]))) return null;
        start = SIGNIFICANT[l];
      }
      return level;
    }
  }
  return null;
}

/** The significant prefix of an area code: every code beneath it starts with it. */
export function areaPrefix(code: string): string {
  const level = levelOf(code);
  return level ? code.slice(0, SIGNIFICANT[level]) : code;
}

export function parentOf(code: string): string | null {
  const level = levelOf(code);
  if (!level || level === 'province') return null;
  const parentLevel = AREA_LEVELS[AREA_LEVELS.indexOf(level) - 1];
  return code.slice(0, SIGNIFICANT[parentLevel]).padEnd(12, '0');
}

/** Every ancestor from the province down to the code itself. */
export function lineageOf(code: string): string[] {
  const chain: string[] = [];
  let c: string | null = code;
  while (c) {
    chain.unshift(c);
    c = parentOf(c);
  }
  return chain;
}

/** `scope` null means global (admin). */
export function isWithin(areaCode: string, scope: string | null): boolean {
  return scope === null || areaCode.startsWith(areaPrefix(scope));
}

/**
 * The area levels a role acts at (SF-25, issue 12): a village user on a village, a township
 * user on a township, county and department users on a county, supervisors on a county, city
 * or province; an admin anywhere (or globally). A village user on a county code would act for
 * every village of the county.
 */
export const ROLE_LEVELS: Record<string, AreaLevel[] | 'any'> = {
  village: ['village'],
  township: ['township'],
  county: ['county'],
  department: ['county'],
  supervisor: ['county', 'city', 'province'],
  admin: 'any',
};

const LEVEL_TITLES: Record<AreaLevel, string> = { province: '省级', city: '市级', county: '县级', township: '乡镇级', village: '村级' };

/** Null when the role may act at the area's level, else the Chinese reason. */
export function roleLevelProblem(role: string, areaCode: string): string | null {
  const allowed = ROLE_LEVELS[role];
  if (!allowed || allowed === 'any') return null;
  const level = levelOf(areaCode);
  if (level && allowed.includes(level)) return null;
  return `该角色只能属于${allowed.map((l) => LEVEL_TITLES[l]).join('或')}行政区划（${areaCode} 是${level ? LEVEL_TITLES[level] : '无效'}代码）`;
}
