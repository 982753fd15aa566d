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
// jszip is ExcelJS's own zip reader (a dependency of exceljs, used the same way by its
// whole-workbook reader); default import as for exceljs.
import JSZip from 'jszip';
// `csv-parse/sync` resolves through the package's typesVersions under moduleResolution
// node10 (tsc) and through its `exports` map under bundler (ts-jest) and Node.
import { parse as parseCsvStream } from 'csv-parse';
import { isUtf8 } from 'node:buffer';
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
  const rows: AlertFileRow[] = [];
  for await (const row of alertRows(buf, fileName, opts)) rows.push(row);
  return { format, rows };
}

/**
 * The data rows of an alert list one at a time, in the file's order, read as the file is
 * parsed (nothing but the current row is kept): what parseAlertFile collects. A file that
 * cannot be read, lacks a column, is empty or has too many rows throws the same AlertFileError
 * as parseAlertFile, and at the same point of precedence (an unreadable file wins over a
 * missing column, which wins over too many rows): the file is read to its end before a
 * COLUMNS_MISSING or TOO_MANY_ROWS is thrown.
 */
export async function* alertRows(buf: Buffer, fileName: string, opts: { maxRows?: number } = {}): AsyncGenerator<AlertFileRow> {
  const format = detectFormat(buf, fileName);
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const rows = sheetRows(buf, format, (reason) =>
    new AlertFileError(
      'FILE_UNREADABLE',
      format === 'xlsx'
        ? `无法读取 Excel 文件“${fileName}”，文件可能已损坏，请检查后重新上传`
        : `无法解析 CSV 文件“${fileName}”，请检查文件内容（如引号是否成对）后重新上传`,
      { reason },
    ),
  );
  let headerIndex = -1;
  const columns = new Map<Field, number>();
  const at = (cells: string[], field: Field): string => {
    const i = columns.get(field);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  let count = 0;
  for await (const { index, cells } of rows) {
    if (isBlank(cells)) continue;
    if (headerIndex === -1) {
      headerIndex = index;
      cells.forEach((cell, i) => {
        const field = HEADER_LOOKUP.get(cell.trim().toLowerCase());
        if (field && !columns.has(field)) columns.set(field, i); // first of duplicate columns wins
      });
      const missing = REQUIRED_COLUMNS.filter(([field]) => !columns.has(field)).map(([, label]) => label);
      if (missing.length > 0) {
        await drain(rows);
        throw new AlertFileError('COLUMNS_MISSING', `文件缺少必需的列：${missing.join('、')}，请使用模板中的表头`, {
          missingColumns: missing,
        });
      }
      continue;
    }
    if (count === maxRows) {
      await drain(rows);
      throw new AlertFileError('TOO_MANY_ROWS', `文件数据行超过上限 ${maxRows} 行，请拆分后分批上传`, { maxRows });
    }
    count++;
    yield {
      rowNumber: index - headerIndex,
      idNumber: normaliseIdNumber(at(cells, 'idNumber')),
      name: at(cells, 'name'),
      areaCode: at(cells, 'areaCode'),
      source: at(cells, 'source') || null,
      description: at(cells, 'description') || null,
    };
  }
  if (count === 0) throw emptyFile();
}

/** Reads what is left of a sheet (so that an unreadable rest is reported first), keeping nothing. */
export async function drain(rows: AsyncIterator<SheetRow> | AsyncIterable<SheetRow>): Promise<void> {
  const it = Symbol.asyncIterator in rows ? (rows as AsyncIterable<SheetRow>)[Symbol.asyncIterator]() : (rows as AsyncIterator<SheetRow>);
  for (let r = await it.next(); !r.done; r = await it.next());
}

/**
 * The sheet's rows of cell texts, indexed by spreadsheet row number - 1. Blank rows stay
 * in (as empty arrays or holes) so that an index always maps back to the row Excel shows.
 */
export type SheetRows = Array<string[] | undefined>;

/** One row of a sheet: `index` is its spreadsheet row number - 1 (a CSV record's position). */
export interface SheetRow {
  index: number;
  cells: string[];
}

/**
 * The rows of the first worksheet of an XLSX, or of a CSV, one at a time in the file's order
 * (rows with no value at all may be left out; their indexes are then missing), parsed as they
 * are asked for with the event loop served in between. Whatever goes wrong while reading is
 * thrown as `unreadable(reason)`.
 */
export async function* sheetRows(buf: Buffer, format: AlertFileFormat, unreadable: (reason: string) => Error): AsyncGenerator<SheetRow> {
  try {
    yield* format === 'xlsx' ? xlsxRows(buf) : csvRows(buf);
  } catch (err) {
    if (err instanceof AlertFileError) throw err;
    throw unreadable(err instanceof Error ? err.message : String(err));
  }
}

/**
 * The sheet's rows of a CSV or XLSX file, as the alert parser reads them (issue 13: the household
 * import reads its own columns from the same rows). FILE_UNREADABLE when it cannot be read.
 */
export async function readSheetRows(buf: Buffer, fileName: string): Promise<{ format: AlertFileFormat; rows: SheetRows }> {
  const format = detectFormat(buf, fileName);
  const rows: SheetRows = [];
  for await (const { index, cells } of sheetRows(buf, format, (reason) => unreadableSheet(format, fileName, reason))) rows[index] = cells;
  return { format, rows };
}

/** FILE_UNREADABLE as the alert and household imports word it. */
export function unreadableSheet(format: AlertFileFormat, fileName: string, reason: string): AlertFileError {
  return new AlertFileError(
    'FILE_UNREADABLE',
    format === 'xlsx' ? `无法读取 Excel 文件“${fileName}”，文件可能已损坏，请检查后重新上传` : `无法解析 CSV 文件“${fileName}”，请检查文件内容（如引号是否成对）后重新上传`,
    { reason },
  );
}

/** Bytes of CSV decoded and handed to the parser at a time, the event loop served in between. */
const CSV_SLICE = 256 * 1024;

/**
 * Decoded and parsed in slices with the event loop served between them, so a 100,000-row list
 * does not stall the other requests of the process while it is read, and neither the file's
 * text nor its records are ever held whole.
 */
async function* csvRows(buf: Buffer): AsyncGenerator<SheetRow> {
  const decoder = csvDecoder(buf);
  let offset = 0;
  const next = (): string => {
    const end = Math.min(buf.length, offset + CSV_SLICE);
    const text = decoder.decode(buf.subarray(offset, end), { stream: end < buf.length });
    offset = end;
    return text;
  };
  // the delimiter is decided by the first non-blank line: decode until it is whole
  let head = next();
  let delimiter = delimiterOf(head, offset >= buf.length);
  while (delimiter === null) {
    head += next();
    delimiter = delimiterOf(head, offset >= buf.length);
  }
  async function* slices(): AsyncGenerator<string> {
    if (head) yield head;
    head = '';
    while (offset < buf.length) {
      await yieldToEventLoop();
      const text = next();
      if (text) yield text;
    }
  }
  // No skip_empty_lines: a blank line then comes back as [''], which keeps each record's
  // index equal to its Excel row (a quoted line break stays inside one record) and is
  // skipped later like any blank row. Counting with `info: true` instead nearly doubles
  // the parse time.
  const parser = Readable.from(slices(), { objectMode: false }).pipe(parseCsvStream({ delimiter, relax_column_count: true, trim: true }));
  let index = 0;
  for await (const record of parser) yield { index: index++, cells: record as string[] };
}

/**
 * Excel's "Unicode text" export is UTF-16LE with a BOM; cheap to accept. Chinese-locale Excel
 * saves "CSV (逗号分隔)" in the ANSI code page, i.e. GBK/GB18030: what is not valid UTF-8 is
 * read as that. Either decoder drops a BOM.
 */
function csvDecoder(buf: Buffer): { decode(input: Uint8Array, options?: { stream?: boolean }): string } {
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le');
  return new TextDecoder(isUtf8(buf) ? 'utf-8' : 'gb18030');
}

/**
 * Tab-separated only when the header line (the first non-blank one) says so; everything else is
 * CSV. Null while that line is not whole yet (more text to come).
 */
function delimiterOf(text: string, final: boolean): string | null {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) {
      if (!final) return null;
      end = text.length;
    }
    const line = text.slice(start, end);
    if (line.trim() !== '') return line.includes('\t') && !line.includes(',') ? '\t' : ',';
    start = end + 1;
  }
  return final ? ',' : null;
}

/** Rows yielded between two turns of the event loop while an XLSX is read. */
const XLSX_SLICE = 2_000;

/**
 * The first worksheet, read with ExcelJS's streaming parts: the workbook is never built in
 * memory, only the shared strings are kept (a cell refers to them by index) and the number
 * formats of the styles (a number in a date format is a date, as the whole-workbook reader had
 * it); the worksheet's XML is inflated and parsed as its rows are asked for.
 *
 * The zip itself is opened by its central directory with JSZip, as ExcelJS's whole-workbook
 * reader opens it (a cut-off or corrupt file fails the same way), and not with
 * `WorkbookReader`'s own front-to-back unzipping: in exceljs 4.4.0 that loses the last small
 * entries of a zip whenever unzipper reaches the end of the archive before the reader has taken
 * them (exceljs#683: the shared strings or xl/workbook.xml go missing, so every text cell reads
 * as `{ sharedString: n }`), and it spools the worksheets to temporary files.
 */
async function* xlsxRows(buf: Buffer): AsyncGenerator<SheetRow> {
  const zip = await JSZip.loadAsync(buf);
  const part = (path: string): NodeJS.ReadableStream | null => zip.file(path)?.nodeStream('nodebuffer') ?? null;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
    sharedStrings: 'cache',
    hyperlinks: 'ignore', // a hyperlink's cell holds its text: that is what is read
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as StreamingParts;
  const rels = part('xl/_rels/workbook.xml.rels');
  const book = part('xl/workbook.xml');
  if (!rels || !book) throw new Error('not an XLSX workbook: xl/workbook.xml or its relationships not found');
  await reader._parseRels(rels);
  await reader._parseWorkbook(book);
  // the first sheet of the workbook's order whose relationship leads to a worksheet in the zip:
  // `workbook.worksheets[0]` of the whole-workbook reader
  let sheetPath: string | null = null;
  for (const sheet of reader.model?.sheets ?? []) {
    const rel = (reader.workbookRels ?? []).find((r) => r.Id === sheet.rId);
    const path = rel && `xl/${rel.Target.replace(/^(\s|\/xl\/)+/, '')}`;
    if (path && /xl\/worksheets\/sheet\d+[.]xml/.test(path) && zip.file(path)) {
      sheetPath = path;
      break;
    }
  }
  if (!sheetPath) return;
  const styles = part('xl/styles.xml');
  if (styles) await reader._parseStyles(styles);
  const strings = part('xl/sharedStrings.xml');
  if (strings) for await (const _ of reader._parseSharedStrings(strings));
  const sheetNo = /sheet(\d+)[.]xml$/.exec(sheetPath)?.[1] ?? '1';
  let sheet: AsyncIterable<ExcelJS.Row> | undefined;
  for (const { eventType, value } of reader._parseWorksheet(part(sheetPath)!, sheetNo)) if (eventType === 'worksheet') sheet = value;
  if (!sheet) return;
  const date1904 = reader.properties?.model?.date1904 === true;
  let n = 0;
  for await (const row of sheet) {
    if (++n % XLSX_SLICE === 0) await yieldToEventLoop();
    if (!row.hasValues) continue;
    yield { index: row.number - 1, cells: xlsxCells(row, date1904) };
  }
}

/**
 * The parts of exceljs 4.4.0's `WorkbookReader` this module drives itself (see xlsxRows): each
 * reads one part of the zip from a stream, as `WorkbookReader.parse` calls them.
 */
interface StreamingParts {
  workbookRels?: Array<{ Id: string; Target: string }>;
  model?: { sheets?: Array<{ id: number; name: string; rId: string }> };
  properties?: { model?: { date1904?: boolean } };
  _parseRels(entry: NodeJS.ReadableStream): Promise<void>;
  _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void>;
  _parseStyles(entry: NodeJS.ReadableStream): Promise<void>;
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncIterable<unknown>;
  _parseWorksheet(iterator: NodeJS.ReadableStream, sheetNo: string): Iterable<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
}

/** The cell texts of a streamed row (1-based, sparse `values`), as the whole-workbook reader gave them. */
function xlsxCells(row: ExcelJS.Row, date1904: boolean): string[] {
  const values = row.values as unknown[];
  const cells: string[] = [];
  for (let i = 1; i < values.length; i++) {
    let value = values[i];
    // The streaming reader leaves a formula's cached result a number even in a date format.
    if (value !== null && typeof value === 'object' && typeof (value as { result?: unknown }).result === 'number' && isDateFormat(row.getCell(i).numFmt)) {
      value = excelDate((value as { result: number }).result, date1904);
    }
    cells.push(cellText(value));
  }
  return cells;
}

/** ExcelJS's own test for a date format (utils.isDateFmt), which the whole-workbook reader applies. */
function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  return /[ymdhMsb]+/.test(fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** ExcelJS's utils.excelToDate. */
function excelDate(v: number, date1904: boolean): Date {
  return new Date(Math.round((v - 25569 + (date1904 ? 1462 : 0)) * 24 * 3600 * 1000));
}

/** `_xHHHH_` escapes (a carriage return is `_x000D_`), decoded as ExcelJS's whole-workbook reader does. */
const XML_ESCAPE = /_x([0-9A-F]{4})_/g;
const unescapeText = (s: string): string => (s.includes('_x') ? s.replace(XML_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s);

/**
 * The text a user sees in the cell, whatever shape exceljs hands it over in. `_xHHHH_` escapes
 * are decoded in a cell's own text (shared and inline strings, rich text), not in a formula's
 * cached result: what the whole-workbook reader did.
 */
function cellText(value: unknown, ownText = true): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return ownText ? unescapeText(value) : value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return ''; // a formula's cached error (#N/A), as the streaming reader parses it
    // String() would turn a 12-digit area code typed as a number into "411003100201" but
    // anything ≥ 1e21 into "1e+21"; BigInt keeps every digit of an integral value.
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: unknown }>; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((run) => (typeof run.text === 'string' ? unescapeText(run.text) : '')).join('');
    if ('text' in v) return cellText(v.text, ownText); // hyperlink; its text may itself be rich text
    if ('result' in v) return cellText(v.result, false); // formula: use the cached value
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
  const out: Array<{ rowNumber: number; cells: string[] }> = [];
  const unreadable = (reason: string) => new AlertFileError('FILE_UNREADABLE', `无法读取文件“${fileName}”，请检查后重新上传`, { reason });
  for await (const { index, cells } of sheetRows(buf, format, unreadable)) {
    if (cells.some((c) => (c ?? '').trim() !== '')) out.push({ rowNumber: index + 1, cells: cells.map((c) => (c ?? '').trim()) });
  }
  return out;
}
