/**
 * The household export of the national 防返贫监测信息系统 (one row per member), read and checked
 * (pure apart from the village lookup the caller passes in): columns found by Chinese or English
 * header, values normalised as the national system writes them, each row's problems named.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isWithin, levelOf } from '../../common/domain/area';
import { birthDateOf, checkCharacter } from '../../common/domain/id-number';
import { AlertFileError, readSheetRows, type SheetRows } from '../imports/alert-file';

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
} as const;
export type HouseholdRowError = keyof typeof HOUSEHOLD_ROW_ERRORS;

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
    return { category: m[1].replace(/[\s/、，,]+$/, '').slice(0, 20), level: LEVELS[m[2]] };
  }
  const cat = category.trim();
  if (!cat || ['无', '否'].includes(cat)) return null;
  const lv = LEVELS[level.trim()];
  if (!lv) return 'invalid';
  return { category: cat.slice(0, 20), level: lv };
}

/** Villages as the uploader may name them: by code, or by a name unique in the registry. */
export interface VillageIndex {
  codes: Set<string>;
  byName: Map<string, string[]>;
}

export async function readHouseholdFile(buf: Buffer, fileName: string, maxRows = 400_000): Promise<{ format: string; rows: HouseholdRow[]; columns: HouseholdField[] }> {
  const { format, rows: sheet } = await readSheetRows(buf, fileName);
  return { format, ...(await toRows(sheet, maxRows)) };
}

async function toRows(sheet: SheetRows, maxRows: number): Promise<{ rows: HouseholdRow[]; columns: HouseholdField[] }> {
  const headerIndex = sheet.findIndex((c) => c !== undefined && c.some((x) => x.trim() !== ''));
  if (headerIndex === -1) throw new AlertFileError('FILE_EMPTY', '文件中没有数据行，请填写后重新上传');
  const columns = new Map<HouseholdField, number>();
  sheet[headerIndex]!.forEach((cell, i) => {
    const f = LOOKUP.get(cell.replace(/^\uFEFF/, '').trim().toLowerCase());
    if (f && !columns.has(f)) columns.set(f, i);
  });
  const missing = REQUIRED.filter(([f]) => !columns.has(f)).map(([, label]) => label);
  if (missing.length) throw new AlertFileError('COLUMNS_MISSING', `文件缺少必需的列：${missing.join('、')}，请使用防返贫监测信息系统导出的表头`, { missingColumns: missing });
  const at = (cells: string[], f: HouseholdField) => {
    const i = columns.get(f);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const rows: HouseholdRow[] = [];
  for (let k = headerIndex + 1; k < sheet.length; k++) {
    const cells = sheet[k];
    if (!cells || cells.every((c) => c.trim() === '')) continue;
    if (rows.length === maxRows) throw new AlertFileError('TOO_MANY_ROWS', `文件数据行超过上限 ${maxRows} 行，请拆分后分批上传`, { maxRows });
    if (rows.length % 20_000 === 0) await yieldToEventLoop();
    rows.push(rowOf(k - headerIndex, (f) => at(cells, f), columns));
  }
  if (!rows.length) throw new AlertFileError('FILE_EMPTY', '文件中没有数据行，请填写后重新上传');
  return { rows, columns: [...columns.keys()] };
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
    const d = new Date(`${b}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== b || Number(b.slice(0, 4)) < 1900 || d.getTime() > Date.now()) errors.push('id_birth_date');
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
  return {
    rowNumber,
    householdCode: householdCode.slice(0, 30),
    householderName: at('householderName'),
    name: name.slice(0, 50),
    idNumber,
    relation: relation.slice(0, 20),
    gender,
    birthDate,
    laborAbility,
    employment,
    disability: dis === 'invalid' ? null : dis,
    phone,
    villageCode: at('village') || null,
    isFormerlyPoor,
    address: at('address') ? at('address').slice(0, 200) : null,
    errors,
  };
}

/**
 * The checks across rows, in the file's order: the village (by code or unique name, inside the
 * uploader's area), one village per household, and each person in one household of the file.
 */
export async function checkHouseholdRows(rows: HouseholdRow[], args: { uploaderArea: string | null; villages: VillageIndex }): Promise<void> {
  for (let i = 0; i < rows.length; i++) {
    if (i % 20_000 === 0) await yieldToEventLoop();
    const r = rows[i];
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
  // one village per household (the first valid row's); one household per person
  const villageOf = new Map<string, string>();
  const householdsOf = new Map<string, Set<string>>();
  for (const r of rows) {
    if (r.errors.length) continue;
    const v = villageOf.get(r.householdCode);
    if (v === undefined) villageOf.set(r.householdCode, r.villageCode!);
    else if (v !== r.villageCode) r.errors.push('household_inconsistent');
    const set = householdsOf.get(r.idNumber) ?? new Set<string>();
    set.add(r.householdCode);
    householdsOf.set(r.idNumber, set);
  }
  const seen = new Set<string>();
  for (const r of rows) {
    if (r.errors.length) continue;
    if ((householdsOf.get(r.idNumber)?.size ?? 0) > 1) r.errors.push('person_in_two_households');
    else if (seen.has(r.idNumber)) r.errors.push('duplicate_in_household');
    seen.add(r.idNumber);
  }
}

export const isConflict = (e: HouseholdRowError[]) => e.some((x) => x === 'person_in_two_households' || x === 'duplicate_in_household' || x === 'household_outside' || x === 'member_outside');
