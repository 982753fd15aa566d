import { DataSource } from 'typeorm';
import { installPii } from '../common/crypto/pii';
import { ENTITIES, HouseholdEntity } from './entities';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';
import './reselect-by-id';

/**
 * Issue 19 (item 4): SQLite re-reads inserted rows (column defaults) in index order; they are
 * merged into the entity with the same id, whatever order the VALUES had.
 */
describe('trust: rows re-read after an INSERT are matched to their entities by id, not position (issue 19 item 4)', () => {
  let ds: DataSource;
  beforeAll(async () => {
    // the schema as the service has it: the committed migrations (phones are sealed at rest)
    installPii({ keys: [{ id: 'k1', key: Buffer.alloc(32, 1) }], hmacKey: Buffer.alloc(32, 2) });
    ds = await new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: ENTITIES, migrations: SQLITE_MIGRATIONS, migrationsRun: true }).initialize();
  });
  afterAll(() => ds?.destroy());

  const household = (id: string, version: number, name: string) =>
    Object.assign(new HouseholdEntity(), { id, areaCode: '411003100201', householderName: name, address: '霍庄村', householdCode: `C-${name}`, phone: null, createdById: null, createdAt: new Date(), updatedAt: new Date(), version, isFormerlyPoor: version % 2 === 0 });

  it('trust: an upsert of households given in descending id order keeps each entity its own id and version', async () => {
    const ids = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000c'];
    await ds.manager.insert(HouseholdEntity, ids.map((id, i) => household(id, 1, `户${i}`)));
    const rows = [household(ids[2], 7, '户2'), household(ids[0], 3, '户0'), household(ids[1], 4, '户1')];
    await ds.manager.createQueryBuilder().insert().into(HouseholdEntity).values(rows).orUpdate(['version', 'isFormerlyPoor', 'updatedAt'], ['id']).execute();
    expect(rows.map((r) => [r.id, r.householderName, r.version, r.isFormerlyPoor])).toEqual([
      [ids[2], '户2', 7, false],
      [ids[0], '户0', 3, false],
      [ids[1], '户1', 4, true],
    ]);
    const stored = await ds.manager.find(HouseholdEntity, { order: { id: 'ASC' } });
    expect(stored.map((h) => [h.id, h.version])).toEqual([[ids[0], 3], [ids[1], 4], [ids[2], 7]]);
  });

  it('trust: values the database fills in are still written back to each entity', async () => {
    const h = household('00000000-0000-4000-8000-0000000000ff', 0, '默认');
    delete (h as Partial<HouseholdEntity>).isFormerlyPoor;
    await ds.manager.insert(HouseholdEntity, h);
    expect(h.isFormerlyPoor).toBe(false);
  });
});
