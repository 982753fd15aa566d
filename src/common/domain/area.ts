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
