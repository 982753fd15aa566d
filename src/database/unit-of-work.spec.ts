import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Issue 10: inside a transaction every query goes through that transaction's manager. The
 * wrong thing is made hard to write: services reach the database only through
 * `UnitOfWork.manager` (the current transaction's, found through AsyncLocalStorage) or the
 * `EntityManager` handed to them, never through an injected repository or the pool's manager.
 * This spec keeps it so; the runtime guard (NestedConnectionError) is tested in
 * test/load.e2e-spec.ts.
 */
const SRC = join(process.cwd(), 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const FORBIDDEN: Array<[RegExp, string]> = [
  [/@InjectRepository\(/, 'an injected repository queries outside the current transaction: use UnitOfWork.manager'],
  [/@InjectDataSource\(/, 'the data source queries outside the current transaction: use UnitOfWork'],
  [/dataSource\.manager\b/, "the pool's manager queries outside the current transaction: use UnitOfWork.manager"],
  [/\.dataSource\.(query|getRepository|createQueryBuilder)\(/, "the data source queries outside the current transaction: use UnitOfWork.manager"],
];

// the unit of work itself and the migrations CLI's data source
const ALLOWED = new Set(['database/unit-of-work.ts', 'database/data-source.ts']);

describe('database access goes through the unit of work', () => {
  it('no service reaches the database around UnitOfWork.manager', () => {
    const offences: string[] = [];
    for (const file of files(SRC)) {
      const rel = relative(SRC, file);
      if (ALLOWED.has(rel)) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [pattern, why] of FORBIDDEN) if (pattern.test(line)) offences.push(`${rel}:${i + 1}: ${why}`);
        });
    }
    expect(offences).toEqual([]);
  });
});
