/**
 * Parser for department alert lists (部门筛查预警名单) uploaded as CSV or XLSX.
 *
 * Pure: bytes in, rows out. Validation of the values (ID checksum, area lookup) belongs
 * to the caller; this module only finds the columns and normalises what users typically
 * get wrong when they re-type or re-save a list in Excel.
 */
// exceljs is CommonJS with ES-style typings and no `default` export. The default import
// works in both places we load this file: under tsc/CommonJS thanks to esModuleInterop
// (exceljs does not set __esModule, so __importDefault wraps module.exports), and under
// Jest's native ESM where a CJS module's default export is module.exports.
import ExcelJS from 'exceljs';
// `csv-parse/sync` resolves through the package's typesVersions under moduleResolution
// node10 (tsc) and through its `exports` map under bundler (ts-jest) and Node.
import { parse as parseCsvStream } from 'csv-parse';
import { Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export type AlertFileFormat = 'csv' | 'xlsx';

export interface AlertFileRow {
  /**
   * Spreadsheet row number minus the header's row number, so a user can find the row in
   * the file they uploaded: header on row 1 → first data row is 1; a skipped blank row
   * still counts, so the row after it keeps its position. For CSV a "row" is a record as
   * Excel shows it (a quoted field spanning lines is one row).
   */
  rowNumber: number;
  idNumber: string;
  name: string;
  areaCode: string;
  source: string | null;
  description: string | null;
}

export interface ParsedAlertFile {
  format: AlertFileFormat;
  rows: AlertFileRow[];
}

export class AlertFileError extends Error {
  constructor(
    readonly code: 'FILE_UNREADABLE' | 'COLUMNS_MISSING' | 'FILE_EMPTY' | 'TOO_MANY_ROWS',
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AlertFileError';
  }
}

const DEFAULT_MAX_ROWS = 200_000;

type Field = 'idNumber' | 'name' | 'areaCode' | 'source' | 'description';

const HEADER_ALIASES: Record<Field, string[]> = {
  idNumber: ['身份证号', '身份证号码', '公民身份号码', '证件号码', 'idNumber', 'id_number'],
  name: ['姓名', 'name'],
  areaCode: ['区划代码', '行政区划代码', '村级区划代码', 'areaCode', 'area_code'],
  source: ['预警来源', '来源', 'source'],
  description: ['预警说明', '预警信息', '说明', '备注', 'description'],
};

const HEADER_LOOKUP = new Map<string, Field>(
  (Object.entries(HEADER_ALIASES) as Array<[Field, string[]]>).flatMap(([field, aliases]) =>
    aliases.map((alias) => [alias.toLowerCase(), field] as [string, Field]),
  ),
);

/** Names used in the COLUMNS_MISSING message and details: what the template calls them. */
const REQUIRED_COLUMNS: Array<[Field, string]> = [
  ['idNumber', '身份证号'],
  ['areaCode', '区划代码'],
];

const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export function detectFormat(buf: Buffer, fileName: string): AlertFileFormat {
  if (buf.subarray(0, 4).equals(OLE2_MAGIC)) {
    throw new AlertFileError(
      'FILE_UNREADABLE',
      `不支持旧版 Excel 97-2003 格式（.xls）文件“${fileName}”，请在 Excel 中另存为 .xlsx 或 .csv 后重新上传`,
      { reason: 'legacy .xls (OLE2) workbook' },
    );
  }
  return buf.subarray(0, 4).equals(ZIP_MAGIC) ? 'xlsx' : 'csv';
}

export async function parseAlertFile(
  buf: Buffer,
  fileName: string,
  opts: { maxRows?: number } = {},
): Promise<ParsedAlertFile> {
  const format = detectFormat(buf, fileName);
  let sheetRows: SheetRows;
  try {
    sheetRows = format === 'xlsx' ? await readXlsx(buf) : await readCsv(buf);
  } catch (err) {
    if (err instanceof AlertFileError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new AlertFileError(
      'FILE_UNREADABLE',
      format === 'xlsx'
        ? `无法读取 Excel 文件“${fileName}”，文件可能已损坏，请检查后重新上传`
        : `无法解析 CSV 文件“${fileName}”，请检查文件内容（如引号是否成对）后重新上传`,
      { reason },
    );
  }
  return { format, rows: toAlertRows(sheetRows, opts.maxRows ?? DEFAULT_MAX_ROWS) };
}

/**
 * The sheet's rows of cell texts, indexed by spreadsheet row number - 1. Blank rows stay
 * in (as empty arrays or holes) so that an index always maps back to the row Excel shows.
 */
export type SheetRows = Array<string[] | undefined>;

/**
 * The sheet's rows of a CSV or XLSX file, as the alert parser reads them (issue 13: the household
 * import reads its own columns from the same rows). FILE_UNREADABLE when it cannot be read.
 */
export async function readSheetRows(buf: Buffer, fileName: string): Promise<{ format: AlertFileFormat; rows: SheetRows }> {
  const format = detectFormat(buf, fileName);
  try {
    return { format, rows: format === 'xlsx' ? await readXlsx(buf) : await readCsv(buf) };
  } catch (err) {
    if (err instanceof AlertFileError) throw err;
    throw new AlertFileError(
      'FILE_UNREADABLE',
      format === 'xlsx' ? `无法读取 Excel 文件“${fileName}”，文件可能已损坏，请检查后重新上传` : `无法解析 CSV 文件“${fileName}”，请检查文件内容（如引号是否成对）后重新上传`,
      { reason: err instanceof Error ? err.message : String(err) },
    );
  }
}

/** Characters of CSV text handed to the parser at a time, the event loop served in between. */
const CSV_SLICE = 256 * 1024;

/**
 * Parsed in slices with the event loop served between them, so a 100,000-row list does not
 * stall the other requests of the process while it is read.
 */
async function readCsv(buf: Buffer): Promise<SheetRows> {
  const text = decodeCsv(buf);
  async function* slices(): AsyncGenerator<string> {
    for (let i = 0; i < text.length; i += CSV_SLICE) {
      yield text.slice(i, i + CSV_SLICE);
      await yieldToEventLoop();
    }
  }
  // No skip_empty_lines: a blank line then comes back as [''], which keeps each record's
  // index equal to its Excel row (a quoted line break stays inside one record) and is
  // skipped later like any blank row. Counting with `info: true` instead nearly doubles
  // the parse time.
  const parser = Readable.from(slices(), { objectMode: false }).pipe(
    parseCsvStream({ delimiter: detectDelimiter(text), relax_column_count: true, trim: true }),
  );
  const rows: SheetRows = [];
  for await (const record of parser) rows.push(record as string[]);
  return rows;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeCsv(buf: Buffer): string {
  // Excel's "Unicode text" export is UTF-16LE with a BOM; cheap to accept.
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf);
  try {
    return UTF8.decode(buf); // drops a UTF-8 BOM
  } catch {
    // Chinese-locale Excel saves "CSV (逗号分隔)" in the ANSI code page, i.e. GBK/GB18030.
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** Tab-separated only when the header line says so; everything else is CSV. */
function detectDelimiter(text: string): string {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    if (line.trim() !== '') return line.includes('\t') && !line.includes(',') ? '\t' : ',';
    start = end + 1;
  }
  return ',';
}

async function readXlsx(buf: Buffer): Promise<SheetRows> {
  const workbook = new ExcelJS.Workbook();
  // exceljs's typings declare their own global `Buffer` (an ArrayBuffer) that Node's
  // Buffer<ArrayBufferLike> doesn't satisfy; at runtime a Node Buffer is what it wants.
  await workbook.xlsx.load(buf as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: SheetRows = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    // row.values is 1-based and sparse.
    const values = row.values as unknown[];
    const cells: string[] = [];
    for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
    rows[rowNumber - 1] = cells;
  });
  return rows;
}

/** The text a user sees in the cell, whatever shape exceljs hands it over in. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    // String() would turn a 12-digit area code typed as a number into "411003100201" but
    // anything ≥ 1e21 into "1e+21"; BigInt keeps every digit of an integral value.
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((run) => run.text).join('');
    if ('text' in v) return cellText(v.text); // hyperlink; its text may itself be rich text
    if ('result' in v) return cellText(v.result); // formula: use the cached value
  }
  return ''; // error values (#N/A) and unknown shapes carry no usable data
}

const FULL_WIDTH_ALNUM = /[０-９Ａ-Ｚａ-ｚ]/g;

function normaliseIdNumber(raw: string): string {
  // Full-width forms come from Chinese IMEs; the block is ASCII shifted by 0xFEE0.
  return raw
    .trim()
    .replace(FULL_WIDTH_ALNUM, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .toUpperCase();
}

function isBlank(cells: string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

function toAlertRows(sheetRows: SheetRows, maxRows: number): AlertFileRow[] {
  const headerIndex = sheetRows.findIndex((cells) => cells !== undefined && !isBlank(cells));
  if (headerIndex === -1) throw emptyFile();

  const columns = new Map<Field, number>();
  sheetRows[headerIndex]!.forEach((cell, i) => {
    const field = HEADER_LOOKUP.get(cell.trim().toLowerCase());
    if (field && !columns.has(field)) columns.set(field, i); // first of duplicate columns wins
  });
  const missing = REQUIRED_COLUMNS.filter(([field]) => !columns.has(field)).map(([, label]) => label);
  if (missing.length > 0) {
    throw new AlertFileError('COLUMNS_MISSING', `文件缺少必需的列：${missing.join('、')}，请使用模板中的表头`, {
      missingColumns: missing,
    });
  }

  const at = (cells: string[], field: Field): string => {
    const i = columns.get(field);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const rows: AlertFileRow[] = [];
  for (let k = headerIndex + 1; k < sheetRows.length; k++) {
    const cells = sheetRows[k];
    if (!cells || isBlank(cells)) continue;
    if (rows.length === maxRows) {
      throw new AlertFileError('TOO_MANY_ROWS', `文件数据行超过上限 ${maxRows} 行，请拆分后分批上传`, { maxRows });
    }
    rows.push({
      rowNumber: k - headerIndex,
      idNumber: normaliseIdNumber(at(cells, 'idNumber')),
      name: at(cells, 'name'),
      areaCode: at(cells, 'areaCode'),
      source: at(cells, 'source') || null,
      description: at(cells, 'description') || null,
    });
  }
  if (rows.length === 0) throw emptyFile();
  return rows;
}

function emptyFile(): AlertFileError {
  return new AlertFileError('FILE_EMPTY', '文件中没有数据行，请填写名单后重新上传');
}

/**
 * The rows of any sheet (the first worksheet of an XLSX, or a CSV in UTF-8, UTF-16 or GB18030),
 * as cell texts, blank rows dropped with their row numbers kept: for other uploads than alert
 * lists (the rectification findings, issue 14).
 */
export async function readSheet(buf: Buffer, fileName: string): Promise<Array<{ rowNumber: number; cells: string[] }>> {
  const format = detectFormat(buf, fileName);
  let rows: SheetRows;
  try {
    rows = format === 'xlsx' ? await readXlsx(buf) : await readCsv(buf);
  } catch (err) {
    if (err instanceof AlertFileError) throw err;
    throw new AlertFileError('FILE_UNREADABLE', `无法读取文件“${fileName}”，请检查后重新上传`, { reason: err instanceof Error ? err.message : String(err) });
  }
  const out: Array<{ rowNumber: number; cells: string[] }> = [];
  rows.forEach((cells, i) => {
    if (cells && cells.some((c) => (c ?? '').trim() !== '')) out.push({ rowNumber: i + 1, cells: cells.map((c) => (c ?? '').trim()) });
  });
  return out;
}
