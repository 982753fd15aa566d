import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, target, type TestEnv } from './support/harness';
import { expectOk } from './support/flows';
import { importReport, uploadAlerts, waitForImport } from './support/imports';

/** The example file the README points to stays true against the demo county. */
describe(`seeds/department-alerts-example.csv (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => (env = await startApp()));
  afterAll(() => env?.close());

  it('imports as the README says: five leads, one unmatched, two invalid, one duplicate', async () => {
    const file = readFileSync(join(process.cwd(), 'seeds', 'department-alerts-example.csv'));
    const accepted = await expectOk(await uploadAlerts(env, file, { name: 'department-alerts-example.csv' }), 202);
    const done = await waitForImport(env, accepted.id);
    expect(done.counts).toEqual({ opened: 5, alreadyMonitored: 0, openCase: 0, unmatched: 1, invalid: 2, duplicate: 1 });
    const rows = await importReport(env, accepted.id);
    expect(rows.slice(1).map((r) => r[6])).toEqual(['opened', 'opened', 'opened', 'opened', 'opened', 'unmatched', 'invalid', 'invalid', 'duplicate']);
    expect(rows[2][4]).toBe('特困');
  });
});
