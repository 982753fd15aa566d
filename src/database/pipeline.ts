import pg, { Query } from 'pg';

/**
 * Issue 21: several statements in one round trip. node-postgres sends a statement and waits for
 * its answer before it sends the next; on this kind of machine a loopback socket write and the
 * wake-up of the other side cost as much CPU as the statement's own work, on both sides. A
 * `Pipelined` query is a node-postgres "submittable" that writes every statement's
 * Parse/Bind/Describe/Execute and ONE Sync in a single socket write; PostgreSQL runs them in
 * order and answers with one flush. Each statement is a real node-postgres `Query`, so rows are
 * parsed by the client's type parsers exactly as before.
 *
 * The protocol gives the semantics that make this safe inside a transaction: when a statement
 * fails, PostgreSQL skips every message up to the Sync, so nothing after the failure runs; the
 * whole pipeline is refused with that error, and the caller's transaction rolls back as it
 * would have after a single failed statement. `BEGIN` as the first part opens the transaction
 * block; `COMMIT` as the last part commits it only when everything before it succeeded.
 */

/** On a pipeline's error: which part failed (the ones before it ran and succeeded) and their results. */
export const FAILED_AT = Symbol.for('approvals.pipelineFailedAt');

/** Where a pipeline stopped, when `err` is a pipeline's error. */
export function failedAt(err: unknown): { index: number; results: unknown[] } | undefined {
  return (err as { [FAILED_AT]?: { index: number; results: unknown[] } } | null)?.[FAILED_AT];
}

/** One statement of a pipeline: its text, its values and (optionally) its prepared statement name. */
export interface Part {
  text: string;
  values?: unknown[];
  name?: string;
}

/** What node-postgres's client hands a submittable (pg's Connection, untyped in @types/pg). */
interface PgConnection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(q: { text: string; name?: string; types?: unknown[] }): void;
  bind(q: { portal: string; statement?: string; values?: unknown[]; binary: boolean; valueMapper: (v: unknown) => unknown }): void;
  describe(q: { type: 'P'; name: string }): void;
  execute(q: { portal: string; rows: number }): void;
  sync(): void;
}

/** The parts of pg's Query this module drives (its handlers; @types/pg does not declare them). */
interface PgQuery {
  text: string;
  name?: string;
  values?: unknown[];
  _result: { _types?: unknown };
  _results: unknown;
  _canceledDueToError: unknown;
  handleRowDescription(msg: unknown): void;
  handleDataRow(msg: unknown): void;
  handleCommandComplete(msg: unknown, con: PgConnection): void;
}

// the same conversion node-postgres applies to a bound value (Date, Buffer, arrays, JSON, ...)
const { prepareValue } = (pg as unknown as { utils: { prepareValue: (v: unknown) => unknown } }).utils;

export class Pipelined {
  private readonly queries: PgQuery[];
  /** the statement whose answer is arriving */
  private at = 0;
  /** names this pipeline marked as submitted, to unmark those never parsed after a failure */
  private readonly submittedByUs = new Set<string>();
  callback?: (err: Error | null, results?: unknown[]) => void;

  constructor(parts: Part[], types: unknown) {
    this.queries = parts.map((p) => {
      const q = new Query({ text: p.text, values: p.values as unknown[] | undefined, name: p.name }) as unknown as PgQuery;
      q._result._types = types;
      return q;
    });
  }

  /** read by the client at ParseComplete: the statement being parsed is the one answering now */
  get name(): string | undefined {
    return this.queries[this.at]?.name;
  }

  get text(): string | undefined {
    return this.queries[this.at]?.text;
  }

  submit(connection: PgConnection): Error | null {
    // every value converted before anything is written: a value that cannot be sent refuses the
    // whole pipeline without a byte on the wire (a half-written pipeline would run its first parts)
    let values: unknown[][];
    try {
      values = this.queries.map((q) => (q.values ?? []).map((v) => prepareValue(v)));
    } catch (err) {
      return err as Error;
    }
    for (const q of this.queries) {
      const previous = q.name ? (connection.parsedStatements[q.name] ?? connection.submittedNamedStatements[q.name]) : undefined;
      if (previous !== undefined && previous !== q.text) return new Error(`Prepared statements must be unique - '${q.name}' was used for a different statement`);
    }
    connection.stream.cork?.();
    try {
      this.queries.forEach((q, i) => {
        const parsed = q.name !== undefined && (connection.parsedStatements[q.name] !== undefined || connection.submittedNamedStatements[q.name] !== undefined);
        if (!parsed) {
          connection.parse({ text: q.text, name: q.name });
          if (q.name) {
            connection.submittedNamedStatements[q.name] = q.text;
            this.submittedByUs.add(q.name);
          }
        }
        connection.bind({ portal: '', statement: q.name, values: values[i], binary: false, valueMapper: prepareValue });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: unknown): void {
    this.queries[this.at].handleRowDescription(msg);
  }

  handleDataRow(msg: unknown): void {
    this.queries[this.at].handleDataRow(msg);
  }

  handleCommandComplete(msg: unknown, con: PgConnection): void {
    this.queries[this.at].handleCommandComplete(msg, con);
    this.at++;
  }

  handleEmptyQuery(): void {
    this.at++;
  }

  handlePortalSuspended(): void {
    // never asked for (rows: 0 = all rows)
  }

  handleCopyInResponse(): void {
    // no COPY in a pipeline
  }

  handleCopyData(): void {
    // no COPY in a pipeline
  }

  handleError(err: Error, con: PgConnection): void {
    // the client forgot the failing statement's name; the ones after it were skipped unparsed
    for (let i = this.at + 1; i < this.queries.length; i++) {
      const name = this.queries[i].name;
      if (name && this.submittedByUs.has(name) && con.parsedStatements[name] === undefined) delete con.submittedNamedStatements[name];
    }
    this.finish(Object.assign(err, { [FAILED_AT]: { index: this.at, results: this.queries.slice(0, this.at).map((q) => q._results) } }));
  }

  handleReadyForQuery(): void {
    const failed = this.queries.find((q) => q._canceledDueToError);
    if (failed) return this.finish(failed._canceledDueToError as Error);
    this.finish(null, this.queries.map((q) => q._results));
  }

  private finish(err: Error | null, results?: unknown[]): void {
    const cb = this.callback;
    this.callback = undefined;
    cb?.(err, results);
  }
}

/** Sends the parts as one pipeline on `client`; resolves with each part's result (node-postgres `Result`s). */
export function sendPipelined(client: { query: (q: unknown) => unknown; _types?: unknown }, parts: Part[], query: (q: unknown) => unknown): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const p = new Pipelined(parts, client._types);
    p.callback = (err, results) => (err ? reject(err) : resolve(results!));
    query(p);
  });
}
