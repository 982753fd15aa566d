import type { Logger as TypeOrmLogger } from 'typeorm';

let log: string[] | null = null;

/**
 * Records the text of every statement this process sends to the database (both engines) until
 * the returned function is called, which gives them back. On PostgreSQL a statement is a round
 * trip, the first cost of a request on a loaded machine: the tests hold the hot paths to their
 * budgets with it (test/round-trips.e2e-spec.ts).
 */
export function recordStatements(): () => string[] {
  const mine: string[] = [];
  log = mine;
  return () => {
    if (log === mine) log = null;
    return mine;
  };
}

let trips: number[] | null = null;

/**
 * Issue 21: counts the round trips to PostgreSQL (a pipeline of several statements is one,
 * src/database/pipeline.ts) until the returned function is called, which gives the count.
 */
export function recordRoundTrips(): () => number {
  const mine = [0];
  trips = mine;
  return () => {
    if (trips === mine) trips = null;
    return mine[0];
  };
}

/** Called by the connection wrapper (unit-of-work.ts) for every round trip it starts. */
export function noteRoundTrip(): void {
  if (trips) trips[0]++;
}

/**
 * TypeORM's logger for the service: quiet (the service logs requests, not statements; errors
 * surface as exceptions), except that it feeds {@link recordStatements} while one records.
 */
export class StatementLogger implements TypeOrmLogger {
  logQuery(query: string): void {
    log?.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
