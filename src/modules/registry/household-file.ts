/**
 * The household export of the national 防返贫监测信息系统 (one row per member), read and checked
 * (pure apart from the village lookup the caller passes in): columns found by Chinese or English
 * header, values normalised as the national system writes them, each row's problems named.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isWithin, levelOf } from '../../common/domain/area';
import { isCalendarDate, today } from '../../common/domain/calendar';
import { birthDateOf, checkCharacter } from '../../common/domain/id-number';
import { AlertFileError, detectFormat, drain, sheetRows, unreadableSheet } from '../imports/alert-file';

export type HouseholdField =
  | 'householdCode'
  | 'householderName'
  | 'name'
  | 'idNumber'
  | 'relation'
  | 'gender'
  | 'birthDate'
  | 'laborAbility'
  | 'employment'
  | 'disability'
  | 'disabilityCategory'
  | 'disabilityLevel'
  | 'phone'
  | 'village'
  | 'isFormerlyPoor'
  | 'address';

export const HOUSEHOLD_HEADERS: Record<HouseholdField, string[]> = {
  householdCode: ['户编号', '户编码', '户码', 'householdCode', 'household_code'],
  householderName: ['户主姓名', '户主', 'householderName', 'householder_name'],
  name: ['姓名', '成员姓名', '人员姓名', 'name'],
  idNumber: ['证件号码', '身份证号', '身份证号码', '公民身份号码', 'idNumber', 'id_number'],
  relation: ['与户主关系', 'relation'],
  gender: ['性别', 'gender'],
  birthDate: ['出生日期', 'birthDate', 'birth_date'],
  laborAbility: ['劳动技能', '劳动能力', 'laborAbility', 'labor_ability'],
  employment: ['务工状况', '务工情况', 'employment'],
  disability: ['残疾类别/等级', '残疾类别等级', '残疾情况', 'disability'],
  disabilityCategory: ['残疾类别', 'disabilityCategory'],
  disabilityLevel: ['残疾等级', 'disabilityLevel'],
  phone: ['联系电话', '电话', '手机号码', 'phone'],
  village: ['所在村', '村', '所在村代码', '区划代码', 'village', 'villageCode', 'areaCode'],
  isFormerlyPoor: ['是否脱贫户', '脱贫户', 'isFormerlyPoor', 'formerly_poor'],
  address: ['家庭住址', '住址', '地址', 'address'],
};

const LOOKUP = new Map<string, HouseholdField>(
  (Object.entries(HOUSEHOLD_HEADERS) as Array<[HouseholdField, string[]]>).flatMap(([f, names]) => names.map((n) => [n.toLowerCase(), f] as [string, HouseholdField])),
);

const REQUIRED: Array<[HouseholdField, string]> = [
  ['householdCode', '户编号'],
  ['name', '姓名'],
  ['idNumber', '证件号码'],
  ['relation', '与户主关系'],
  ['village', '所在村'],
];

/** Stable codes of what can be wrong with a row, with the Chinese the report shows. */
export const HOUSEHOLD_ROW_ERRORS = {
  household_code_missing: '户编号为空',
  name_missing: '姓名为空',
  relation_missing: '与户主关系为空',
  id_number_format: '证件号码应为18位居民身份证号',
  id_birth_date: '证件号码中的出生日期无效',
  id_check_digit: '证件号码校验位不正确',
  gender_digit: '性别与证件号码第17位（奇数为男、偶数为女）不一致',
  gender_unknown: '性别应为男或女',
  birth_date_mismatch: '出生日期与证件号码不一致',
  labour_unknown: '劳动技能不是已知类别（技能劳动力、普通劳动力、弱劳动力或半劳动力、丧失劳动力、无劳动力）',
  employment_unknown: '务工状况不是已知类别（省外务工、省内县外务工、县内务工、未务工、在校生、退休）',
  disability_invalid: '残疾类别/等级应为类别加一至四级，如“肢体二级”',
  phone_invalid: '联系电话应为手机号或固定电话',
  formerly_poor_unknown: '是否脱贫户应为是或否',
  village_unknown: '所在村不是已登记的村（12位村级代码或本辖区内唯一的村名）',
  village_outside: '所在村不在导入人的管辖范围内',
  household_inconsistent: '同一户编号的各行所在村不一致',
  person_in_two_households: '同一人出现在文件的两个户中',
  duplicate_in_household: '同一人在同一户中重复出现',
  household_outside: '该户已登记在导入人管辖范围以外',
  member_outside: '该成员已登记在导入人管辖范围以外的农户中',
  // issue 19: a value longer than its column is refused, never cut (limits: HOUSEHOLD_FIELD_LIMITS)
  household_code_too_long: '户编号超过 30 个字符',
  householder_name_too_long: '户主姓名超过 50 个字符',
  name_too_long: '姓名超过 50 个字符',
  relation_too_long: '与户主关系超过 20 个字符',
  address_too_long: '家庭住址超过 200 个字符',
  disability_too_long: '残疾类别超过 20 个字符',
} as const;
export type HouseholdRowError = keyof typeof HOUSEHOLD_ROW_ERRORS;

/**
 * Issue 19: the longest value of each text field a row stores (characters, as PostgreSQL's
 * varchar counts them), the column's own length — a longer value is the row's named refusal,
 * never a cut. `src/modules/registry/household-file.spec.ts` holds them to the entities' columns.
 */
export const HOUSEHOLD_FIELD_LIMITS = {
  householdCode: { max: 30, error: 'household_code_too_long' },
  householderName: { max: 50, error: 'householder_name_too_long' },
  name: { max: 50, error: 'name_too_long' },
  relation: { max: 20, error: 'relation_too_long' },
  address: { max: 200, error: 'address_too_long' },
  disabilityCategory: { max: 20, error: 'disability_too_long' },
} as const satisfies Record<string, { max: number; error: HouseholdRowError }>;

/** Characters as PostgreSQL counts them (code points, not UTF-16 units). */
export const charCount = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export interface HouseholdRow {
  rowNumber: number;
  householdCode: string;
  householderName: string;
  name: string;
  idNumber: string;
  relation: string;
  gender: 'male' | 'female' | null;
  birthDate: string;
  laborAbility: string | null;
  employment: string | null;
  disability: { category: string; level: number } | null;
  phone: string | null;
  villageCode: string | null;
  isFormerlyPoor: boolean | null;
  address: string | null;
  errors: HouseholdRowError[];
}

const LABOUR: Record<string, string> = {
  技能劳动力: 'full', 普通劳动力: 'full', 劳动力: 'full', full: 'full',
  弱劳动力或半劳动力: 'weak', 弱劳动力: 'weak', weak: 'weak',
  半劳动力: 'semi', semi: 'semi',
  丧失劳动力: 'none', 无劳动力: 'none', none: 'none',
};
const EMPLOYMENT: Record<string, string> = {
  省外务工: 'outside', 省内县外务工: 'outside', 外出务工: 'outside', 县外务工: 'outside', outside: 'outside',
  县内务工: 'local', 乡镇内务工: 'local', 本地务工: 'local', 就近务工: 'local', local: 'local',
  未务工: 'none', 无: 'none', 否: 'none', none: 'none', '': 'none',
  在校生: 'student', 学生: 'student', student: 'student',
  退休: 'retired', retired: 'retired',
};
const LEVELS: Record<string, number> = { 一级: 1, 二级: 2, 三级: 3, 四级: 4, 一: 1, 二: 2, 三: 3, 四: 4, '1': 1, '2': 2, '3': 3, '4': 4, '1级': 1, '2级': 2, '3级': 3, '4级': 4 };
const YES = ['是', 'true', '1', 'y', 'yes'];
const NO = ['否', 'false', '0', 'n', 'no', ''];

const FULL_WIDTH = /[０-９Ａ-Ｚａ-ｚ]/g;
const normaliseId = (raw: string) => raw.trim().replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).toUpperCase();

function dateOf(raw: string): string {
  const v = raw.trim();
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?/.exec(v);
  if (m) return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  return v;
}

function disabilityOf(combined: string, category: string, level: string): { category: string; level: number } | null | 'invalid' {
  const c = combined.trim();
  if (c && !['无', '否', '非残疾', 'none'].includes(c)) {
    const m = /^(.+?)[\s/、，,]*(一级|二级|三级|四级|[1-4]级?)$/.exec(c);
    if (!m) return 'invalid';
    return { category: m[1].replace(/[\s/、，,]+$/, ''), level: LEVELS[m[2]] };
  }
  const cat = category.trim();
  if (!cat || ['无', '否'].includes(cat)) return null;
  const lv = LEVELS[level.trim()];
  if (!lv) return 'invalid';
  return { category: cat, level: lv };
}

/** Villages as the uploader may name them: by code, or by a name unique in the registry. */
export interface VillageIndex {
  codes: Set<string>;
  byName: Map<string, string[]>;
}

/** What a household import checks a file against: the uploader's area and the registered villages. */
export interface HouseholdCheckArgs {
  uploaderArea: string | null;
  villages: VillageIndex;
}

/**
 * What the first reading of a file learns (nothing of it but this is kept): its data rows, its
 * households in the order they first appear with their number of rows, and for every person of a
 * valid row whether the file lists them in one household or in several.
 */
export interface HouseholdFileScan {
  format: string;
  columns: HouseholdField[];
  /** data rows (blank rows not counted) */
  rows: number;
  /** household key (户编号, or `#row<n>` for a row without one) → its rows in the file */
  households: Map<string, { rows: number; index: number; village?: string }>;
  /** ID number → the index of its household, MANY when the file lists it in two households */
  persons: Map<string, number>;
}

const MANY = -1;
/** a person's first valid row has been met by the second reading */
const SEEN = -2;

const householdKey = (r: HouseholdRow) => r.householdCode || `#row${r.rowNumber}`;

/**
 * The first of the two readings of a household file: checks the whole file before anything is
 * imported (FILE_UNREADABLE, COLUMNS_MISSING, TOO_MANY_ROWS and FILE_EMPTY as AlertFileError)
 * and learns what the checks across rows need, without keeping the rows.
 */
export async function scanHouseholdFile(buf: Buffer, fileName: string, args: HouseholdCheckArgs, maxRows = 400_000): Promise<HouseholdFileScan> {
  const format = detectFormat(buf, fileName);
  const scan: HouseholdFileScan = { format, columns: [], rows: 0, households: new Map(), persons: new Map() };
  for await (const r of householdRows(buf, fileName, maxRows, scan.columns)) {
    scan.rows++;
    checkVillage(r, args);
    const key = householdKey(r);
    let household = scan.households.get(key);
    if (!household) scan.households.set(key, (household = { rows: 0, index: scan.households.size }));
    household.rows++;
    // one household per person, among the rows valid so far (a village mismatch within the household counts: checkHouseholdRows did so)
    if (!r.errors.length) {
      const seen = scan.persons.get(r.idNumber);
      if (seen === undefined) scan.persons.set(r.idNumber, household.index);
      else if (seen !== household.index) scan.persons.set(r.idNumber, MANY);
    }
  }
  return scan;
}

/**
 * The second reading: every row checked (its own values, its village, and across rows: one
 * village per household — the first valid row's —, each person in one household of the file and
 * once in it), the rows of each household together, the households in the order they first
 * appear, each as soon as its last row is read. Rows are read as the households are taken, so
 * only the households not yet complete are held (the rows of one household are usually adjacent).
 * `scan` is the first reading's; its persons are marked as they are met.
 */
export async function* householdGroups(buf: Buffer, fileName: string, scan: HouseholdFileScan, args: HouseholdCheckArgs): AsyncGenerator<HouseholdRow[]> {
  const open = new Map<string, HouseholdRow[]>();
  for await (const r of householdRows(buf, fileName, Infinity, [])) {
    checkVillage(r, args);
    if (!r.errors.length) {
      const household = scan.households.get(r.householdCode)!;
      if (household.village === undefined) household.village = r.villageCode!;
      else if (household.village !== r.villageCode) r.errors.push('household_inconsistent');
    }
    if (!r.errors.length) {
      const person = scan.persons.get(r.idNumber);
      if (person === MANY) r.errors.push('person_in_two_households');
      else {
        if (person === SEEN) r.errors.push('duplicate_in_household');
        scan.persons.set(r.idNumber, SEEN);
      }
    }
    const key = householdKey(r);
    const rows = open.get(key);
    if (rows) rows.push(r);
    else open.set(key, [r]);
    // the complete households at the front, in order
    for (const [k, group] of open) {
      if (group.length < scan.households.get(k)!.rows) break;
      open.delete(k);
      yield group;
    }
  }
  for (const group of open.values()) yield group; // none: the same file was read twice
}

/**
 * Households taken `households` at a time (whole households, so a chunk's rows vary), after
 * skipping the households that make up the first `skipRows` rows (the chunks an earlier run
 * committed: a run resumes at a chunk boundary).
 */
export async function* householdChunks(groups: AsyncIterable<HouseholdRow[]>, opts: { skipRows: number; households: number }): AsyncGenerator<{ groups: HouseholdRow[][]; rows: number }> {
  let skipped = 0;
  let chunk: HouseholdRow[][] = [];
  let rows = 0;
  for await (const group of groups) {
    if (skipped < opts.skipRows) {
      skipped += group.length;
      continue;
    }
    chunk.push(group);
    rows += group.length;
    if (chunk.length === opts.households) {
      yield { groups: chunk, rows };
      chunk = [];
      rows = 0;
    }
  }
  if (chunk.length) yield { groups: chunk, rows };
}

/**
 * The data rows of a household file one at a time, read as they are asked for; `columns` receives
 * the columns found. A file is read to its end before COLUMNS_MISSING or TOO_MANY_ROWS is thrown,
 * so that an unreadable file is reported as such first.
 */
async function* householdRows(buf: Buffer, fileName: string, maxRows: number, found: HouseholdField[]): AsyncGenerator<HouseholdRow> {
  const format = detectFormat(buf, fileName);
  const sheet = sheetRows(buf, format, (reason) => unreadableSheet(format, fileName, reason));
  let headerIndex = -1;
  const columns = new Map<HouseholdField, number>();
  const at = (cells: string[], f: HouseholdField) => {
    const i = columns.get(f);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  let count = 0;
  for await (const { index, cells } of sheet) {
    if (cells.every((c) => c.trim() === '')) continue;
    if (headerIndex === -1) {
      headerIndex = index;
      cells.forEach((cell, i) => {
        const f = LOOKUP.get(cell.replace(/^\uFEFF/, '').trim().toLowerCase());
        if (f && !columns.has(f)) columns.set(f, i);
      });
      const missing = REQUIRED.filter(([f]) => !columns.has(f)).map(([, label]) => label);
      if (missing.length) {
        await drain(sheet);
        throw new AlertFileError('COLUMNS_MISSING', `文件缺少必需的列：${missing.join('、')}，请使用防返贫监测信息系统导出的表头`, { missingColumns: missing });
      }
      found.push(...columns.keys());
      continue;
    }
    if (count === maxRows) {
      await drain(sheet);
      throw new AlertFileError('TOO_MANY_ROWS', `文件数据行超过上限 ${maxRows} 行，请拆分后分批上传`, { maxRows });
    }
    if (count % 20_000 === 0) await yieldToEventLoop();
    count++;
    yield rowOf(index - headerIndex, (f) => at(cells, f), columns);
  }
  if (!count) throw new AlertFileError('FILE_EMPTY', '文件中没有数据行，请填写后重新上传');
}

function rowOf(rowNumber: number, at: (f: HouseholdField) => string, columns: Map<HouseholdField, number>): HouseholdRow {
  const errors: HouseholdRowError[] = [];
  const householdCode = at('householdCode');
  if (!householdCode) errors.push('household_code_missing');
  const name = at('name');
  if (!name) errors.push('name_missing');
  const relation = at('relation');
  if (!relation) errors.push('relation_missing');
  const idNumber = normaliseId(at('idNumber'));
  let idOk = false;
  if (!/^\d{17}[\dX]$/.test(idNumber)) errors.push('id_number_format');
  else {
    const b = birthDateOf(idNumber);
    // the birth date judged on China's calendar (REMINDER_TIME_ZONE): born today is not "in the future"
    if (!isCalendarDate(b) || Number(b.slice(0, 4)) < 1900 || b > today()) errors.push('id_birth_date');
    else if (checkCharacter(idNumber.slice(0, 17)) !== idNumber[17]) errors.push('id_check_digit');
    else idOk = true;
  }
  const g = at('gender');
  let gender: 'male' | 'female' | null = g === '男' || g.toLowerCase() === 'male' ? 'male' : g === '女' || g.toLowerCase() === 'female' ? 'female' : null;
  if (!g && idOk) gender = Number(idNumber[16]) % 2 === 1 ? 'male' : 'female';
  if (!gender) errors.push('gender_unknown');
  else if (idOk && (gender === 'male') !== (Number(idNumber[16]) % 2 === 1)) errors.push('gender_digit');
  const bRaw = at('birthDate');
  const birthDate = bRaw ? dateOf(bRaw) : idOk ? birthDateOf(idNumber) : '';
  if (idOk && birthDate !== birthDateOf(idNumber)) errors.push('birth_date_mismatch');
  const lRaw = at('laborAbility');
  const laborAbility = columns.has('laborAbility') ? (LABOUR[lRaw] ?? LABOUR[lRaw.toLowerCase()] ?? null) : 'full';
  if (!laborAbility) errors.push('labour_unknown');
  const eRaw = at('employment');
  const employment = EMPLOYMENT[eRaw] ?? EMPLOYMENT[eRaw.toLowerCase()] ?? null;
  if (!employment) errors.push('employment_unknown');
  const dis = disabilityOf(at('disability'), at('disabilityCategory'), at('disabilityLevel'));
  if (dis === 'invalid') errors.push('disability_invalid');
  const pRaw = at('phone');
  const phone = pRaw || null;
  if (phone && !/^(1\d{10}|0\d{2,3}-?\d{7,8})$/.test(phone)) errors.push('phone_invalid');
  const fRaw = at('isFormerlyPoor').toLowerCase();
  const isFormerlyPoor = YES.includes(fRaw) ? true : NO.includes(fRaw) ? false : null;
  if (isFormerlyPoor === null) errors.push('formerly_poor_unknown');
  const householderName = at('householderName');
  const address = at('address') || null;
  const tooLong = (field: keyof typeof HOUSEHOLD_FIELD_LIMITS, v: string | null | undefined) => {
    if (v && charCount(v) > HOUSEHOLD_FIELD_LIMITS[field].max) errors.push(HOUSEHOLD_FIELD_LIMITS[field].error);
  };
  tooLong('householdCode', householdCode);
  tooLong('householderName', householderName);
  tooLong('name', name);
  tooLong('relation', relation);
  tooLong('address', address);
  if (dis !== 'invalid') tooLong('disabilityCategory', dis?.category);
  return {
    rowNumber,
    householdCode,
    householderName,
    name,
    idNumber,
    relation,
    gender,
    birthDate,
    laborAbility,
    employment,
    disability: dis === 'invalid' ? null : dis,
    phone,
    villageCode: at('village') || null,
    isFormerlyPoor,
    address,
    errors,
  };
}

/** The village of a row (by code or unique name, inside the uploader's area): its code, or an error. */
function checkVillage(r: HouseholdRow, args: HouseholdCheckArgs): void {
  const raw = r.villageCode ?? '';
  let code: string | null = null;
  if (/^\d{12}$/.test(raw)) code = levelOf(raw) === 'village' && args.villages.codes.has(raw) ? raw : null;
  else {
    const named = (args.villages.byName.get(raw) ?? []).filter((c) => isWithin(c, args.uploaderArea));
    code = named.length === 1 ? named[0] : null;
  }
  if (!code) r.errors.push('village_unknown');
  else if (!isWithin(code, args.uploaderArea)) r.errors.push('village_outside');
  r.villageCode = code;
}

export const isConflict = (e: HouseholdRowError[]) => e.some((x) => x === 'person_in_two_households' || x === 'duplicate_in_household' || x === 'household_outside' || x === 'member_outside');
