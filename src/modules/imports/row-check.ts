import { isWithin, levelOf } from '../../common/domain/area';
import { type AlertSource, alertSourceOf } from '../../common/domain/enums';
import { idNumberProblem } from '../../common/domain/id-number';
import type { AlertFileRow } from './alert-file';

/** Stable codes of what can be wrong with a row, with the Chinese the report shows. */
export const ROW_ERRORS = {
  id_number_invalid: '身份证号无效（位数、出生日期或校验位不正确）',
  area_code_invalid: '区划代码应为12位村级统计用区划代码',
  area_outside: '区划代码不在导入人的管辖范围内',
  source_unknown: '预警来源不是已知类别（低保、特困、医保大额自付、残疾、教育、住房、饮水、其他）',
  // issue 19: a value longer than it may be is refused, never cut
  name_too_long: '姓名超过 50 个字符',
  description_too_long: '预警说明超过 1000 个字符',
} as const;

/** Issue 19: the longest name and description (characters) an alert row may carry; longer is the row's named refusal. */
export const ALERT_FIELD_LIMITS = { name: 50, description: 1000 } as const;
const chars = (s: string) => [...s].length;
export type RowError = keyof typeof ROW_ERRORS;

export interface CheckedRow extends AlertFileRow {
  source: AlertSource | string;
  errors: RowError[];
  /** an earlier row of the same file has this ID number */
  duplicateOf: number | null;
}

/**
 * Validates every row of a file (pure): ID check digit, a village code inside the uploader's
 * area, a known source (the row's own, else the file's); the first row of an ID number wins.
 */
export function checkRows(rows: AlertFileRow[], args: { fileSource: AlertSource; uploaderArea: string }): CheckedRow[] {
  return rows.map(rowChecker(args));
}

/**
 * The check of checkRows one row at a time, for rows read as a file is parsed: the rows must be
 * given in the file's order, every one of them (the first row of an ID number wins).
 */
export function rowChecker(args: { fileSource: AlertSource; uploaderArea: string }): (r: AlertFileRow) => CheckedRow {
  const first = new Map<string, number>();
  return (r) => {
    const errors: RowError[] = [];
    if (idNumberProblem(r.idNumber)) errors.push('id_number_invalid');
    if (levelOf(r.areaCode) !== 'village') errors.push('area_code_invalid');
    else if (!isWithin(r.areaCode, args.uploaderArea)) errors.push('area_outside');
    const source = r.source === null ? args.fileSource : alertSourceOf(r.source);
    if (!source) errors.push('source_unknown');
    if (chars(r.name ?? '') > ALERT_FIELD_LIMITS.name) errors.push('name_too_long');
    if (r.description && chars(r.description) > ALERT_FIELD_LIMITS.description) errors.push('description_too_long');
    let duplicateOf: number | null = null;
    if (!errors.length) {
      duplicateOf = first.get(r.idNumber) ?? null;
      if (duplicateOf === null) first.set(r.idNumber, r.rowNumber);
    }
    return { ...r, source: source ?? (r.source ?? ''), errors, duplicateOf };
  };
}
