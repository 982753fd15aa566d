import { checkCharacter } from '../../common/domain/id-number';
import { AlertFileError } from '../imports/alert-file';
import { HOUSEHOLD_FIELD_LIMITS, type HouseholdCheckArgs, householdChunks, householdGroups, type HouseholdRow, scanHouseholdFile } from './household-file';

const V1 = '411003100201';
const V2 = '411003100202';
const id = (birth: string, seq: string) => `411003${birth}${seq}${checkCharacter(`411003${birth}${seq}`)}`;
const P = [id('19700301', '011'), id('19800101', '021'), id('19950602', '032'), id('19960101', '041'), id('19650903', '051')];
const BAD = P[0].slice(0, 17) + (P[0][17] === '0' ? '1' : '0');
const HEADER = '户编号,户主姓名,姓名,证件号码,与户主关系,性别,所在村';
const csv = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`, 'utf8');
const args = (): HouseholdCheckArgs => ({ uploaderArea: '411003', villages: { codes: new Set([V1, V2]), byName: new Map([['霍庄村', [V1]]]) } });

async function read(file: Buffer): Promise<{ rows: number; groups: HouseholdRow[][] }> {
  const a = args();
  const scan = await scanHouseholdFile(file, 'h.csv', a);
  const groups: HouseholdRow[][] = [];
  for await (const g of householdGroups(file, 'h.csv', scan, a)) groups.push(g);
  return { rows: scan.rows, groups };
}

const brief = (groups: HouseholdRow[][]) => groups.map((g) => g.map((r) => [r.rowNumber, r.householdCode, r.errors.join('+')]));

describe('household file: two readings, households whole and in order', () => {
  // what the import did when it held every row (readHouseholdFile + checkHouseholdRows, then grouping)
  it('groups scattered households in the order they first appear, with the checks across the whole file', async () => {
    const file = csv([
      HEADER,
      `H1,甲,甲,${P[0]},户主,男,${V1}`, // 1
      `H2,乙,乙,${P[1]},户主,男,${V1}`, // 2
      `H1,甲,丙,${P[2]},女儿,女,霍庄村`, // 3: H1 again, village by name
      `H2,乙,丁,${P[3]},儿子,男,${V2}`, // 4: not H2's village (its first valid row's)
      `H1,甲,甲,${P[0]},户主,男,${V1}`, // 5: P0 twice in H1
      `H3,戊,戊,${P[4]},户主,男,${V1}`, // 6: P4 in H3 and H4
      `H4,己,戊,${P[4]},户主,男,${V1}`, // 7
      `H3,戊,坏,${BAD},儿子,男,${V1}`, // 8: bad check digit
      '', // 9: blank, still counted in row numbers
      `,无,无,${P[2]},户主,女,${V1}`, // 10: no 户编号: a household of its own, invalid
      `H1,甲,丁,${P[3]},儿子,男,${V1}`, // 11: P3 is in H2 too (row 4 counts though its village is wrong)
    ]);
    const { rows, groups } = await read(file);
    expect(rows).toBe(10);
    expect(brief(groups)).toEqual([
      [[1, 'H1', ''], [3, 'H1', ''], [5, 'H1', 'duplicate_in_household'], [11, 'H1', 'person_in_two_households']],
      [[2, 'H2', ''], [4, 'H2', 'household_inconsistent']],
      [[6, 'H3', 'person_in_two_households'], [8, 'H3', 'id_check_digit']],
      [[7, 'H4', 'person_in_two_households']],
      [[10, '', 'household_code_missing']],
    ]);
    expect(groups[0][1].villageCode).toBe(V1); // resolved from the name
  });

  it('hands out each household as soon as its last row is read', async () => {
    const lines = [HEADER];
    for (let h = 0; h < 50; h++) for (let m = 0; m < 3; m++) lines.push(`H${h},户主${h},人${h}-${m},${id('19700101', String(100 + h * 3 + m).padStart(3, '0'))},${m ? '子女' : '户主'},,${V1}`); // gender from the ID number
    const file = csv(lines);
    const a = args();
    const scan = await scanHouseholdFile(file, 'h.csv', a);
    expect(scan.rows).toBe(150);
    expect(scan.households.size).toBe(50);
    const it = householdGroups(file, 'h.csv', scan, a);
    const first = await it.next();
    expect(first.value!.map((r: HouseholdRow) => r.rowNumber)).toEqual([1, 2, 3]);
    let n = 1;
    for await (const g of it) {
      expect(g.map((r) => r.householdCode)).toEqual([`H${n}`, `H${n}`, `H${n}`]);
      expect(g.every((r) => r.errors.length === 0)).toBe(true);
      n++;
    }
    expect(n).toBe(50);
  });

  it('refuses a file on the first reading: missing columns, too many rows, no data rows, unreadable', async () => {
    const refused = async (file: Buffer, maxRows?: number) => {
      const err = await scanHouseholdFile(file, 'h.csv', args(), maxRows).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AlertFileError);
      return err as AlertFileError;
    };
    expect((await refused(csv(['户编号,姓名', 'H1,甲']))).details).toEqual({ missingColumns: ['证件号码', '与户主关系', '所在村'] });
    const two = csv([HEADER, `H1,甲,甲,${P[0]},户主,男,${V1}`, `H1,甲,丙,${P[2]},女儿,女,${V1}`]);
    expect((await refused(two, 1)).code).toBe('TOO_MANY_ROWS');
    await expect(scanHouseholdFile(two, 'h.csv', args(), 2)).resolves.toMatchObject({ rows: 2 });
    expect((await refused(csv([HEADER, '', ',,,']))).code).toBe('FILE_EMPTY');
    // an unreadable file is reported as such even when its header is wrong too
    expect((await refused(csv(['户编号,姓名', `"H1,甲`]))).code).toBe('FILE_UNREADABLE');
  });

  it('takes whole households a chunk at a time, resuming after the rows already committed', async () => {
    // households of 1, 2, 3, 1, 2, 3 … rows
    const sizes = Array.from({ length: 10 }, (_, i) => (i % 3) + 1);
    let row = 0;
    const groups = sizes.map((size, h) => Array.from({ length: size }, () => ({ rowNumber: ++row, householdCode: `H${h}` }) as HouseholdRow));
    async function* source() {
      yield* groups;
    }
    const take = async (skipRows: number) => {
      const out: Array<[string[], number]> = [];
      for await (const c of householdChunks(source(), { skipRows, households: 4 })) out.push([c.groups.map((g) => g[0].householdCode), c.rows]);
      return out;
    };
    expect(await take(0)).toEqual([
      [['H0', 'H1', 'H2', 'H3'], 7],
      [['H4', 'H5', 'H6', 'H7'], 8],
      [['H8', 'H9'], 4],
    ]);
    // a run that committed the first chunk (7 rows) goes on with the second, counting rows on from 7
    expect(await take(7)).toEqual([
      [['H4', 'H5', 'H6', 'H7'], 8],
      [['H8', 'H9'], 4],
    ]);
    expect(await take(15)).toEqual([[['H8', 'H9'], 4]]);
    expect(await take(19)).toEqual([]);
  });
});

describe('trust: a household file value longer than its column is the row’s named refusal, never cut (issue 19 item 3)', () => {
  const FULL = '户编号,户主姓名,姓名,证件号码,与户主关系,性别,所在村,家庭住址,残疾类别/等级';
  const base = { householdCode: 'H9', householderName: '甲', name: '甲', relation: '户主', address: '霍庄村一组', disabilityCategory: '肢体' };
  const line = (v: typeof base, idNumber: string) => `${v.householdCode},${v.householderName},${v.name},${idNumber},${v.relation},男,${V1},${v.address},${v.disabilityCategory}二级`;
  it.each(Object.entries(HOUSEHOLD_FIELD_LIMITS))('trust: %s at its limit is kept whole; one character more is refused with its own code', async (field, { max, error }) => {
    const at = { ...base, [field]: '名'.repeat(max) };
    const over = { ...base, [field]: '名'.repeat(max + 1) };
    const ok = (await read(csv([FULL, line(at, P[0])]))).groups.flat()[0];
    expect(ok.errors).toEqual([]);
    const kept = field === 'disabilityCategory' ? ok.disability?.category : (ok as unknown as Record<string, string>)[field];
    expect(kept).toBe('名'.repeat(max));
    const refused = (await read(csv([FULL, line(over, P[1])]))).groups.flat()[0];
    expect(refused.errors).toEqual([error]);
  });

  it('trust: a 100,000-character 姓名 is refused, not stored as 50 characters', async () => {
    const row = (await read(csv([FULL, line({ ...base, name: '张'.repeat(100_000) }, P[3])]))).groups.flat()[0];
    expect(row.errors).toEqual(['name_too_long']);
    expect(row.name.length).toBe(100_000);
  });
});
