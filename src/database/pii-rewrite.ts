/**
 * Rewrites personal-data columns of a table in chunks (issue 11): the migration that encrypts the
 * clear-text rows, its down(), and key rotation. Keyset pagination over the primary key, one
 * statement per chunk on PostgreSQL (`UPDATE … FROM (VALUES …)`), prepared updates on SQLite.
 */
export interface PiiTable {
  table: string;
  /** primary key columns and their PostgreSQL types */
  keys: { name: string; pgType: string }[];
  /** the columns to read and possibly rewrite */
  columns: string[];
}

export type Query = (sql: string, params?: unknown[]) => Promise<any>;

/** `change` returns the new values of the row (any subset of columns), or null to leave it. */
export async function rewriteRows(
  query: Query,
  pg: boolean,
  t: PiiTable,
  change: (row: Record<string, string | null>) => Record<string, string | null> | null,
  opts: { chunk?: number; lock?: boolean; inChunk?: <T>(work: (q: Query) => Promise<T>) => Promise<T> } = {},
): Promise<{ scanned: number; rewritten: number }> {
  const chunk = opts.chunk ?? 1000;
  const inChunk = opts.inChunk ?? (<T>(work: (q: Query) => Promise<T>) => work(query));
  const q = (name: string) => `"${name}"`;
  const keyList = t.keys.map((k) => q(k.name)).join(', ');
  const select = `SELECT ${[...t.keys.map((k) => k.name), ...t.columns].map(q).join(', ')} FROM ${q(t.table)}`;
  let after: unknown[] | null = null;
  let scanned = 0;
  let rewritten = 0;
  for (;;) {
    // read and rewrite a chunk in one transaction (rows locked on PostgreSQL): a value changed
    // meanwhile by the service is never overwritten with a stale one
    const rows = await inChunk(async (run) => {
      const ph = (i: number) => (pg ? `$${i}` : '?');
      const where = after ? ` WHERE (${keyList}) > (${after.map((_, i) => ph(i + 1)).join(', ')})` : '';
      const rows: Record<string, any>[] = await run(`${select}${where} ORDER BY ${keyList} LIMIT ${chunk}${pg && opts.lock ? ' FOR UPDATE' : ''}`, after ?? []);
      const updates = rows.map((r) => ({ r, c: change(r) })).filter((u): u is { r: Record<string, any>; c: Record<string, string | null> } => u.c !== null);
      rewritten += updates.length;
      if (pg) {
        // one statement per set of changed columns
        const groups = new Map<string, typeof updates>();
        for (const u of updates) {
          const cols = Object.keys(u.c).sort().join(',');
          groups.set(cols, [...(groups.get(cols) ?? []), u]);
        }
        for (const [colKey, group] of groups) {
          const cols = colKey.split(',');
          const params: unknown[] = [];
          const tuples = group.map((u) => {
            const vals = [
              ...t.keys.map((k) => (params.push(u.r[k.name]), `$${params.length}::${k.pgType}`)),
              ...cols.map((c) => (params.push(u.c[c]), `$${params.length}::varchar`)),
            ];
            return `(${vals.join(', ')})`;
          });
          const names = [...t.keys.map((k) => `k_${k.name}`), ...cols.map((c) => `c_${c}`)].map(q).join(', ');
          await run(
            `UPDATE ${q(t.table)} AS t SET ${cols.map((c) => `${q(c)} = v.${q(`c_${c}`)}`).join(', ')} FROM (VALUES ${tuples.join(', ')}) AS v(${names}) WHERE ${t.keys.map((k) => `t.${q(k.name)} = v.${q(`k_${k.name}`)}`).join(' AND ')}`,
            params,
          );
        }
      } else {
        for (const u of updates) {
          const cols = Object.keys(u.c);
          await run(
            `UPDATE ${q(t.table)} SET ${cols.map((c) => `${q(c)} = ?`).join(', ')} WHERE ${t.keys.map((k) => `${q(k.name)} = ?`).join(' AND ')}`,
            [...cols.map((c) => u.c[c]), ...t.keys.map((k) => u.r[k.name])],
          );
        }
      }
      return rows;
    });
    if (!rows.length) break;
    scanned += rows.length;
    after = t.keys.map((k) => rows[rows.length - 1][k.name]);
    if (rows.length < chunk) break;
  }
  return { scanned, rewritten };
}
