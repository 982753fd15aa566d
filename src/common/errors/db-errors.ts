/** A unique or primary-key violation, from PostgreSQL (23505) or SQLite. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The database could not serve in time: no pooled connection within the acquire timeout, a
 * statement cancelled by `statement_timeout` (57014), a lock not granted within `lock_timeout`
 * (55P03), or SQLite busy past its busy_timeout. Answered 503 SERVICE_BUSY with Retry-After.
 */
export function isBusy(err: unknown): boolean {
  const e = err as { message?: string; code?: string; driverError?: { code?: string; message?: string } } | null;
  if (!e) return false;
  const code = e.driverError?.code ?? e.code;
  if (code === '57014' || code === '55P03' || code === 'SQLITE_BUSY') return true;
  const message = e.driverError?.message ?? e.message ?? '';
  return /timeout exceeded when trying to connect|Connection terminated due to connection timeout/.test(message);
}
