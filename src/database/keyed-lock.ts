import type { EntityManager } from 'typeorm';

/**
 * Issue 19 (item 17): serialises the transactions that name the same key until each ends, for
 * rules that count rows another transaction may be inserting (two hiring applications of one
 * person, two members of one household approved at the same instant). On PostgreSQL a
 * transaction-scoped advisory lock on the key's 64-bit hash: the second waiter's later queries
 * see what the first committed (READ COMMITTED), so the machine's own rule judges fresh facts.
 * SQLite runs one transaction at a time already (UnitOfWork's mutex): nothing to do.
 */
export async function lockKey(em: EntityManager, key: string): Promise<void> {
  if (em.connection.options.type === 'postgres') await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
}
