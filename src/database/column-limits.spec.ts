import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { HOUSEHOLD_FIELD_LIMITS } from '../modules/registry/household-file';
import { assertWithinColumns, limitedColumns, tooLong } from './column-limits';
import { ENTITIES } from './entities';

describe('trust: every varchar column refuses a longer value instead of cutting it (issue 19 item 3)', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: ENTITIES }).initialize();
  });
  afterAll(() => ds?.destroy());

  it('trust: each limited column of each entity: its length passes, one character more is refused naming the field (astral characters count once, as PostgreSQL counts them)', () => {
    let checked = 0;
    for (const metadata of ds.entityMetadatas) {
      for (const { property, length } of limitedColumns(metadata)) {
        checked++;
        expect(tooLong(metadata, { [property]: 'x'.repeat(length) })).toEqual({});
        // 𠀀 (CJK extension B, a name character) is two UTF-16 units but one character
        expect(tooLong(metadata, { [property]: '𠀀'.repeat(length) })).toEqual({});
        const over = tooLong(metadata, { [property]: '名'.repeat(length + 1) });
        expect(Object.keys(over)).toEqual([property]);
        expect(over[property]).toContain(`${length}`);
        let thrown: unknown;
        try {
          assertWithinColumns(metadata, { [property]: 'x'.repeat(length + 1) });
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(AppError);
        expect((thrown as AppError).status).toBe(400);
        expect({ code: (thrown as AppError).code, details: (thrown as AppError).details }).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: { [property]: expect.stringMatching(/[\u4e00-\u9fa5]/) } } });
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('trust: the household import row limits are the registry columns’ own lengths', () => {
    const col = (entity: string, property: string) => limitedColumns(ds.getMetadata(entity)).find((c) => c.property === property)?.length;
    expect(HOUSEHOLD_FIELD_LIMITS.householdCode.max).toBe(col('HouseholdEntity', 'householdCode'));
    expect(HOUSEHOLD_FIELD_LIMITS.householderName.max).toBe(col('HouseholdEntity', 'householderName'));
    expect(HOUSEHOLD_FIELD_LIMITS.address.max).toBe(col('HouseholdEntity', 'address'));
    expect(HOUSEHOLD_FIELD_LIMITS.name.max).toBe(col('HouseholdMemberEntity', 'name'));
    expect(HOUSEHOLD_FIELD_LIMITS.relation.max).toBe(col('HouseholdMemberEntity', 'relation'));
  });
});
