import ExcelJS from 'exceljs';
// iconv-lite is only a transitive dependency (via express); the parser itself decodes
// GB18030 with TextDecoder, which has no encoder, so the test borrows iconv-lite to build bytes.
import iconv from 'iconv-lite';
// jszip is ExcelJS's own dependency: the tests build a workbook laid out as Excel writes it.
import JSZip from 'jszip';
import { PassThrough } from 'node:stream';
import { AlertFileError, alertRows, detectFormat, parseAlertFile, readSheet, readSheetRows } from './alert-file';

const ID = '11010519491231002X';
const AREA = '411003100201';

function csv(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/**
 * An XLSX written as Excel writes one: xl/workbook.xml first, the worksheets before the styles
 * and the shared strings. `sheets` in tab order; sheet k is stored as sheet{files[k]}.xml.
 */
async function excelStyle(sheets: Array<{ name: string; file: number; rows: string }>, sharedStrings: string[]): Promise<Buffer> {
  const zip = new JSZip();
  const xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const files = [...sheets].sort((a, b) => a.file - b.file);
  zip.file(
    '[Content_Types].xml',
    `${xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      files.map((s) => `<Override PartName="/xl/worksheets/sheet${s.file}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
      `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
  );
  zip.file('_rels/.rels', `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
  zip.file(
    'xl/workbook.xml',
    `${xml}<workbook xmlns="${MAIN}" xmlns:r="${RELS}"><sheets>${sheets.map((s) => `<sheet name="${s.name}" sheetId="${s.file}" r:id="rId${s.file}"/>`).join('')}</sheets></workbook>`,
  );
  zip.file(
    'xl/_rels/workbook.xml.rels',
    `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      files.map((s) => `<Relationship Id="rId${s.file}" Type="${RELS}/worksheet" Target="worksheets/sheet${s.file}.xml"/>`).join('') +
      `<Relationship Id="rIdS" Type="${RELS}/styles" Target="styles.xml"/><Relationship Id="rIdT" Type="${RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
  );
  for (const s of files) zip.file(`xl/worksheets/sheet${s.file}.xml`, `${xml}<worksheet xmlns="${MAIN}" xmlns:r="${RELS}"><sheetData>${s.rows}</sheetData></worksheet>`);
  // cell style 1: 14, the built-in short date; style 2: 49, text
  zip.file(
    'xl/styles.xml',
    `${xml}<styleSheet xmlns="${MAIN}"><fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`,
  );
  zip.file('xl/sharedStrings.xml', `${xml}<sst xmlns="${MAIN}" count="${sharedStrings.length}" uniqueCount="${sharedStrings.length}">${sharedStrings.join('')}</sst>`);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

const c = (ref: string, inner: string, attrs = '') => `<c r="${ref}"${attrs}>${inner}</c>`;
const s = (ref: string, index: number) => c(ref, `<v>${index}</v>`, ' t="s"');

/** A one-sheet workbook; `null` leaves that spreadsheet row blank. */
async function xlsx(rows: Array<ExcelJS.CellValue[] | null>, sheetName = '预警名单'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  rows.forEach((cells, r) => {
    cells?.forEach((value, c) => {
      sheet.getCell(r + 1, c + 1).value = value;
    });
  });
  return Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}

async function alertError(promise: Promise<unknown>): Promise<AlertFileError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AlertFileError);
  return err as AlertFileError;
}

describe('department alert file parser', () => {
  describe('CSV', () => {
    it('reads Chinese headers, ignores unknown columns and trims values', async () => {
      const file = csv(`序号,姓名,身份证号,村级区划代码,户主关系\n1, 张三 ,${ID}, ${AREA} ,户主\n`);
      const parsed = await parseAlertFile(file, '名单.csv');
      expect(parsed).toEqual({
        format: 'csv',
        rows: [{ rowNumber: 1, idNumber: ID, name: '张三', areaCode: AREA, source: null, description: null }],
      });
    });

    it.each([
      ['身份证号码', '行政区划代码'],
      ['公民身份号码', '区划代码'],
      ['证件号码', '区划代码'],
    ])('accepts %s / %s as header aliases', async (idHeader, areaHeader) => {
      const { rows } = await parseAlertFile(csv(`${idHeader},${areaHeader}\n${ID},${AREA}\n`), 'a.csv');
      expect(rows[0]).toMatchObject({ idNumber: ID, areaCode: AREA, name: '' });
    });

    it('reads English headers case-insensitively, with surrounding spaces', async () => {
      const file = csv(` IDNumber ,NAME,Area_Code,Source,DESCRIPTION\n${ID},Zhang San,${AREA},civil affairs,income drop\n`);
      const { rows } = await parseAlertFile(file, 'list.csv');
      expect(rows).toEqual([
        { rowNumber: 1, idNumber: ID, name: 'Zhang San', areaCode: AREA, source: 'civil affairs', description: 'income drop' },
      ]);
    });

    it('strips a UTF-8 BOM so the first header is still recognised', async () => {
      const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv(`身份证号,区划代码\n${ID},${AREA}\n`)]);
      const { rows } = await parseAlertFile(file, 'bom.csv');
      expect(rows).toHaveLength(1);
      expect(rows[0].idNumber).toBe(ID);
    });

    it('decodes GB18030 (what Chinese-locale Excel saves as CSV)', async () => {
      const file = iconv.encode(`身份证号,姓名,区划代码,预警说明\r\n${ID},李四,${AREA},因病支出骤增\r\n`, 'gb18030');
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(file)).toThrow(); // really not UTF-8
      const { rows } = await parseAlertFile(file, 'gbk.csv');
      expect(rows).toEqual([
        { rowNumber: 1, idNumber: ID, name: '李四', areaCode: AREA, source: null, description: '因病支出骤增' },
      ]);
    });

    it('decodes UTF-16LE with a BOM (Excel "Unicode text", tab-separated)', async () => {
      const text = `\uFEFF身份证号\t姓名\t区划代码\r\n${ID}\t赵六\t${AREA}\r\n`;
      const { rows } = await parseAlertFile(Buffer.from(text, 'utf16le'), 'unicode.txt');
      expect(rows[0]).toMatchObject({ idNumber: ID, name: '赵六', areaCode: AREA });
    });

    it('accepts tab-separated text when the header line has tabs and no commas', async () => {
      const file = csv(`姓名\t身份证号\t区划代码\t备注\n王五\t${ID}\t${AREA}\t收入下降, 需核实\n`);
      const { rows } = await parseAlertFile(file, 'list.txt');
      expect(rows[0]).toMatchObject({ name: '王五', idNumber: ID, areaCode: AREA, description: '收入下降, 需核实' });
    });

    it('keeps commas and line breaks inside quoted fields', async () => {
      const file = csv(
        `身份证号,区划代码,预警说明\n` +
          `${ID},${AREA},"医疗支出超过 5,000 元"\n` +
          `${ID},${AREA},"第一行\n第二行"\n` +
          `${ID},${AREA},"他说""需要帮扶"""\n`,
      );
      const { rows } = await parseAlertFile(file, 'q.csv');
      expect(rows.map((r) => r.description)).toEqual(['医疗支出超过 5,000 元', '第一行\n第二行', '他说"需要帮扶"']);
      // A quoted line break is one row in Excel, so it does not shift later row numbers.
      expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3]);
    });

    it('skips blank rows but numbers rows by their position below the header', async () => {
      const file = csv(
        [
          '', // blank lines before the header: the header is the first non-empty row
          '   ',
          '身份证号,姓名,区划代码', // spreadsheet row 3
          `${ID},甲,${AREA}`, // row 4 → 1
          '', // row 5, skipped
          ',,', // row 6: only empty cells, skipped
          ` , ,${'\t'}`, // row 7: only whitespace, skipped
          `${ID},乙,${AREA}`, // row 8 → 5
          '',
        ].join('\r\n'),
      );
      const { rows } = await parseAlertFile(file, 'blank.csv');
      expect(rows.map((r) => [r.rowNumber, r.name])).toEqual([
        [1, '甲'],
        [5, '乙'],
      ]);
    });

    it('takes source and description per row, null when blank or when the column is absent', async () => {
      const withColumns = csv(
        `身份证号,区划代码,预警来源,预警信息\n${ID},${AREA},医保局,住院费用高\n${ID},${AREA}, ,\n${ID},${AREA},民政局\n`,
      );
      const { rows } = await parseAlertFile(withColumns, 's.csv');
      expect(rows.map((r) => [r.source, r.description])).toEqual([
        ['医保局', '住院费用高'],
        [null, null],
        ['民政局', null], // short row: relax_column_count
      ]);

      const without = await parseAlertFile(csv(`身份证号,区划代码\n${ID},${AREA}\n`), 'n.csv');
      expect(without.rows[0]).toMatchObject({ source: null, description: null, name: '' });
    });

    it('accepts 来源 / 说明 as short header forms', async () => {
      const { rows } = await parseAlertFile(csv(`身份证号,区划代码,来源,说明\n${ID},${AREA},教育局,辍学风险\n`), 'x.csv');
      expect(rows[0]).toMatchObject({ source: '教育局', description: '辍学风险' });
    });

    it('normalises ID numbers: full-width characters to half-width, x to X', async () => {
      const file = csv(`身份证号,区划代码\n１１０１０５１９４９１２３１００２ｘ,${AREA}\n 11010519491231002x ,${AREA}\n`);
      const { rows } = await parseAlertFile(file, 'fw.csv');
      expect(rows.map((r) => r.idNumber)).toEqual([ID, ID]);
    });

    it('reports the required columns that are missing', async () => {
      const err = await alertError(parseAlertFile(csv(`姓名,备注\n张三,无\n`), 'm.csv'));
      expect(err.code).toBe('COLUMNS_MISSING');
      expect(err.details).toEqual({ missingColumns: ['身份证号', '区划代码'] });
      expect(err.message).toContain('身份证号');
      expect(err.message).toContain('区划代码');

      const onlyArea = await alertError(parseAlertFile(csv(`身份证号,姓名\n${ID},张三\n`), 'm.csv'));
      expect(onlyArea.details).toEqual({ missingColumns: ['区划代码'] });
    });

    it.each([
      ['an empty file', ''],
      ['a BOM and blank lines only', '\uFEFF\n\n  \n'],
      ['a header without data rows', '身份证号,区划代码\n'],
      ['a header followed by blank rows', '身份证号,区划代码\n\n,,\n'],
    ])('refuses %s as FILE_EMPTY', async (_label, text) => {
      const err = await alertError(parseAlertFile(csv(text), 'e.csv'));
      expect(err.code).toBe('FILE_EMPTY');
    });

    it('refuses more data rows than maxRows', async () => {
      const body = (n: number) => `身份证号,区划代码\n` + `${ID},${AREA}\n`.repeat(n);
      await expect(parseAlertFile(csv(body(3)), 'r.csv', { maxRows: 3 })).resolves.toMatchObject({
        rows: { length: 3 },
      });
      const err = await alertError(parseAlertFile(csv(body(4)), 'r.csv', { maxRows: 3 }));
      expect(err.code).toBe('TOO_MANY_ROWS');
      expect(err.details).toEqual({ maxRows: 3 });
    });

    it('does not count blank rows towards maxRows', async () => {
      const file = csv(`身份证号,区划代码\n${ID},${AREA}\n\n\n,\n${ID},${AREA}\n`);
      await expect(parseAlertFile(file, 'r.csv', { maxRows: 2 })).resolves.toMatchObject({ rows: { length: 2 } });
    });

    it('refuses malformed CSV quoting as FILE_UNREADABLE with the parser reason', async () => {
      const err = await alertError(parseAlertFile(csv(`身份证号,区划代码\n"${ID},${AREA}\n`), 'bad.csv'));
      expect(err.code).toBe('FILE_UNREADABLE');
      expect(err.details?.reason).toEqual(expect.stringContaining('Quote'));
    });

    it('parses 100,000 rows', async () => {
      const lines = ['身份证号,姓名,区划代码,预警来源,预警说明'];
      for (let i = 0; i < 100_000; i++) {
        lines.push(`110105194912${String(i).padStart(5, '0')}x,姓名${i},${AREA},医保局,第${i}行`);
      }
      const { rows } = await parseAlertFile(csv(lines.join('\n')), 'big.csv');
      expect(rows).toHaveLength(100_000);
      expect(rows[54_321]).toEqual({
        rowNumber: 54_322,
        idNumber: '11010519491254321X',
        name: '姓名54321',
        areaCode: AREA,
        source: '医保局',
        description: '第54321行',
      });
    });
  });

  describe('XLSX', () => {
    it('reads the first worksheet with numeric area codes and text ID numbers', async () => {
      const file = await xlsx([
        ['姓名', '公民身份号码', '行政区划代码', '预警来源'],
        ['张三', '41100319900101123x', 411003100201, '医保局'],
        ['李四', '411003199001011234', 411003100202, null],
      ]);
      const parsed = await parseAlertFile(file, '名单.xlsx');
      expect(parsed).toEqual({
        format: 'xlsx',
        rows: [
          { rowNumber: 1, idNumber: '41100319900101123X', name: '张三', areaCode: '411003100201', source: '医保局', description: null },
          { rowNumber: 2, idNumber: '411003199001011234', name: '李四', areaCode: '411003100202', source: null, description: null },
        ],
      });
    });

    it('never renders integral numbers in scientific notation', async () => {
      const file = await xlsx([
        ['身份证号', '区划代码'],
        [ID, 1e21],
        [ID, 411003100201],
      ]);
      const { rows } = await parseAlertFile(file, 'n.xlsx');
      expect(rows.map((r) => r.areaCode)).toEqual(['1000000000000000000000', '411003100201']);
    });

    it('reads rich text, hyperlink and formula cells as their displayed text', async () => {
      const file = await xlsx([
        [{ richText: [{ text: '身份' }, { font: { bold: true }, text: '证号' }] }, '区划代码', '姓名', '预警说明'],
        [
          { richText: [{ text: '110105' }, { font: { color: { argb: 'FFFF0000' } }, text: '19491231002x' }] },
          { formula: '411003100200+1', result: 411003100201 },
          { text: '王五', hyperlink: 'https://example.org/p/1' },
          { formula: 'NA()', result: { error: '#N/A' } },
        ],
      ]);
      const { rows } = await parseAlertFile(file, 'rich.xlsx');
      expect(rows).toEqual([
        { rowNumber: 1, idNumber: ID, name: '王五', areaCode: AREA, source: null, description: null },
      ]);
    });

    it('finds a header below blank rows and numbers data rows relative to it', async () => {
      const file = await xlsx([
        null,
        ['身份证号', '区划代码', '备注'], // row 2
        [ID, AREA, '一'], // row 3 → 1
        null, // row 4, blank
        ['', '  ', null], // row 5, cells present but empty
        [ID, AREA, '二'], // row 6 → 4
      ]);
      const { rows } = await parseAlertFile(file, 'gap.xlsx');
      expect(rows.map((r) => [r.rowNumber, r.description])).toEqual([
        [1, '一'],
        [4, '二'],
      ]);
    });

    it('reports missing columns and empty sheets like CSV does', async () => {
      const missing = await alertError(parseAlertFile(await xlsx([['姓名'], ['张三']]), 'm.xlsx'));
      expect(missing.code).toBe('COLUMNS_MISSING');
      expect(missing.details).toEqual({ missingColumns: ['身份证号', '区划代码'] });

      const empty = await alertError(parseAlertFile(await xlsx([]), 'e.xlsx'));
      expect(empty.code).toBe('FILE_EMPTY');
    });

    it('reads a workbook as Excel lays it out: the first tab, shared and inline strings, dates, cached formula results', async () => {
      const strings = ['身份证号', '区划代码', '姓名', '出生日期', '预警说明', '第一行_x000D_第二行', '说明', '备注'].map((t) => `<si><t>${t}</t></si>`);
      strings.push('<si><r><t>110105</t></r><r><rPr><b/><sz val="11"/></rPr><t>19491231002x</t></r></si>'); // 8: rich text
      const file = await excelStyle(
        [
          {
            name: '预警名单', // the first tab, stored as sheet2.xml (the tabs were reordered)
            file: 2,
            rows:
              `<row r="1">${s('A1', 0)}${s('B1', 1)}${s('C1', 2)}${s('D1', 3)}${s('E1', 4)}</row>` +
              `<row r="2">${s('A2', 8)}${c('B2', '<v>411003100201</v>')}${c('C2', '<is><t>张三</t></is>', ' t="inlineStr"')}${c('D2', '<v>32875</v>', ' s="1"')}${s('E2', 5)}</row>` +
              `<row r="3" s="2" customFormat="1">${c('A3', '', ' s="2"')}</row>` + // formatted, no value: blank
              `<row r="5">${c('A5', '<v>11010519491231002X</v>', ' t="str"')}${c('B5', '<f>411003100200+1</f><v>411003100201</v>')}` +
              `${c('C5', '<f>NA()</f><v>#N/A</v>', ' t="e"')}${c('D5', '<f>DATE(1990,1,2)</f><v>32875</v>', ' s="1"')}${c('E5', '<v>1.5</v>')}</row>`,
          },
          { name: '说明', file: 1, rows: `<row r="1">${s('A1', 6)}${s('B1', 7)}</row><row r="2">${c('A2', '<v>1</v>')}</row>` },
        ],
        strings,
      );
      // what ExcelJS's whole-workbook reader gave for the same file, row for row
      expect((await readSheetRows(file, 'excel.xlsx')).rows).toEqual([
        ['身份证号', '区划代码', '姓名', '出生日期', '预警说明'],
        ['11010519491231002x', '411003100201', '张三', '1990-01-02T00:00:00.000Z', '第一行\r第二行'],
        undefined,
        undefined,
        ['11010519491231002X', '411003100201', '', '1990-01-02T00:00:00.000Z', '1.5'],
      ]);
      const { rows } = await parseAlertFile(file, 'excel.xlsx');
      expect(rows).toEqual([
        { rowNumber: 1, idNumber: ID, name: '张三', areaCode: AREA, source: null, description: '第一行\r第二行' },
        { rowNumber: 4, idNumber: ID, name: '', areaCode: AREA, source: null, description: '1.5' },
      ]);
    });

    it('reads date cells and dated formula results as ISO timestamps, and ignores a second sheet', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('名单');
      sheet.addRow(['身份证号', '区划代码', '预警说明']);
      sheet.addRow([ID, AREA, new Date(Date.UTC(2024, 4, 6))]);
      sheet.addRow([ID, AREA, { formula: 'DATE(1990,1,2)', result: new Date(Date.UTC(1990, 0, 2)) }]);
      sheet.addRow([ID, AREA, { formula: 'TRUE()', result: 'x_x000D_y' }]);
      const other = workbook.addWorksheet('说明');
      other.addRow(['身份证号', '区划代码']);
      other.addRow(['110105194912310038', '411003100299']);
      const file = Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
      const { rows } = await parseAlertFile(file, 'dates.xlsx');
      expect(rows.map((r) => [r.rowNumber, r.areaCode, r.description])).toEqual([
        [1, AREA, '2024-05-06T00:00:00.000Z'],
        [2, AREA, '1990-01-02T00:00:00.000Z'],
        [3, AREA, 'x_x000D_y'], // a formula's string result is not an escaped shared string
      ]);
      expect(await readSheet(file, 'dates.xlsx')).toHaveLength(4);
    });

    it('keeps a blank row in the middle as a hole and numbers the rows after it by their position', async () => {
      const file = await xlsx([['身份证号', '区划代码'], [ID, AREA], null, null, [ID, 411003100202]]);
      const { rows: sheet } = await readSheetRows(file, 'hole.xlsx');
      expect(sheet).toHaveLength(5);
      expect(2 in sheet).toBe(false);
      expect(3 in sheet).toBe(false);
      expect(sheet[4]).toEqual([ID, '411003100202']);
      const { rows } = await parseAlertFile(file, 'hole.xlsx');
      expect(rows.map((r) => [r.rowNumber, r.areaCode])).toEqual([
        [1, AREA],
        [4, '411003100202'],
      ]);
    });

    it('reads 200,000 rows without holding the workbook, serving the event loop meanwhile', async () => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (d: Buffer) => chunks.push(d));
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true });
      const sheet = workbook.addWorksheet('名单');
      sheet.addRow(['身份证号', '姓名', '区划代码']).commit();
      for (let i = 0; i < 200_000; i++) sheet.addRow([`110105194912${String(i).padStart(5, '0')}x`, `姓名${i}`, 411003100201]).commit();
      sheet.commit();
      await workbook.commit();
      const file = Buffer.concat(chunks);
      let turns = 0;
      const timer = setInterval(() => turns++, 1);
      try {
        let n = 0;
        let last;
        for await (const row of alertRows(file, 'big.xlsx')) {
          n++;
          last = row;
        }
        expect(n).toBe(200_000);
        expect(last).toEqual({ rowNumber: 200_000, idNumber: '110105194912199999X', name: '姓名199999', areaCode: AREA, source: null, description: null });
      } finally {
        clearInterval(timer);
      }
      expect(turns).toBeGreaterThan(20); // timers ran while the file was read
    });

    it('refuses a zip without a workbook in it as FILE_UNREADABLE', async () => {
      const zip = new JSZip();
      zip.file('readme.txt', '身份证号,区划代码');
      const err = await alertError(parseAlertFile(await zip.generateAsync({ type: 'nodebuffer' }), 'notes.xlsx'));
      expect(err.code).toBe('FILE_UNREADABLE');
    });

    it('refuses a corrupt workbook as FILE_UNREADABLE', async () => {
      const garbage = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200, 0x41)]);
      const err = await alertError(parseAlertFile(garbage, 'broken.xlsx'));
      expect(err.code).toBe('FILE_UNREADABLE');
      expect(err.details).toHaveProperty('reason');

      const good = await xlsx([['身份证号', '区划代码'], [ID, AREA]]);
      const truncated = await alertError(parseAlertFile(good.subarray(0, good.length >> 1), 'cut.xlsx'));
      expect(truncated.code).toBe('FILE_UNREADABLE');
    });
  });

  describe('format detection', () => {
    it('detects XLSX by the zip signature regardless of the file name', async () => {
      const book = await xlsx([['身份证号', '区划代码'], [ID, AREA]]);
      expect(detectFormat(book, 'export.csv')).toBe('xlsx');
      expect(detectFormat(csv('身份证号,区划代码\n'), 'list.xlsx')).toBe('csv');
      expect(detectFormat(Buffer.alloc(0), 'empty')).toBe('csv');
    });

    it('refuses legacy .xls workbooks with a hint to re-save', async () => {
      const ole2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
      expect(() => detectFormat(ole2, '名单.xls')).toThrow(AlertFileError);
      const err = await alertError(parseAlertFile(ole2, '名单.xls'));
      expect(err.code).toBe('FILE_UNREADABLE');
      expect(err.message).toContain('.xlsx');
      expect(err.message).toContain('.csv');
    });
  });
});
