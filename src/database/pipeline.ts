import pg from 'pg';

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

/** A column of a row description (pg-protocol's Field). */
interface Field {
  name: string;
  dataTypeID: number;
  format: string;
}

/** node-postgres's type parsers of a client (TypeOverrides or pg-types) */
interface TypeParsers {
  getTypeParser(oid: number, format?: string): (value: string) => unknown;
}

/**
 * What one statement of a pipeline answers: the shape of node-postgres's `Result` that callers
 * read (command, rowCount, oid, rows, fields). Issue 21: built here rather than through a pg
 * `Query` per statement (an EventEmitter, its config cloned property by property, a row template
 * of dynamic keys copied for every row: ~3 % of a step's CPU); rows are parsed by the client's
 * own type parsers exactly as before, and every row of a statement has the same shape.
 */
export interface PartResult {
  command: string | null;
  rowCount: number | null;
  oid: number | null;
  rows: Record<string, unknown>[];
  fields: Field[];
}

// node-postgres's own reading of a CommandComplete tag ("UPDATE 1", "INSERT 0 1", "BEGIN")
const COMMAND_TAG = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/;

class PartAnswer implements PartResult {
  command: string | null = null;
  rowCount: number | null = null;
  oid: number | null = null;
  rows: Record<string, unknown>[] = [];
  fields: Field[] = [];
  private names: string[] = [];
  private parsers: Array<(value: string) => unknown> = [];

  describe(fields: Field[], types: TypeParsers): void {
    this.fields = fields;
    this.names = fields.map((f) => f.name);
    this.parsers = fields.map((f) => types.getTypeParser(f.dataTypeID, f.format || 'text'));
  }

  row(values: Array<string | null>): void {
    const row: Record<string, unknown> = {};
    const { names, parsers } = this;
    for (let i = 0; i < values.length; i++) {
      const raw = values[i];
      row[names[i]] = raw === null ? null : parsers[i](raw);
    }
    this.rows.push(row);
  }

  complete(tag: string): void {
    const m = COMMAND_TAG.exec(tag);
    if (!m) return;
    this.command = m[1];
    if (m[3]) {
      this.oid = parseInt(m[2], 10);
      this.rowCount = parseInt(m[3], 10);
    } else if (m[2]) {
      this.rowCount = parseInt(m[2], 10);
    }
  }
}

// the same conversion node-postgres applies to a bound value (Date, Buffer, arrays, JSON, ...)
const { prepareValue } = (pg as unknown as { utils: { prepareValue: (v: unknown) => unknown } }).utils;
const defaultTypes = (pg as unknown as { types: TypeParsers }).types;

export class Pipelined {
  private readonly parts: Part[];
  private readonly answers: PartAnswer[];
  private readonly types: TypeParsers;
  /** the statement whose answer is arriving */
  private at = 0;
  /** a type parser's failure on a row: reported when the pipeline's answer is complete */
  private parseError: Error | null = null;
  /** names this pipeline marked as submitted, to unmark those never parsed after a failure */
  private readonly submittedByUs = new Set<string>();
  callback?: (err: Error | null, results?: PartResult[]) => void;

  constructor(parts: Part[], types: unknown) {
    this.parts = parts;
    this.answers = parts.map(() => new PartAnswer());
    this.types = (types as TypeParsers | undefined) ?? defaultTypes;
  }

  /** read by the client at ParseComplete: the statement being parsed is the one answering now */
  get name(): string | undefined {
    return this.parts[this.at]?.name;
  }

  get text(): string | undefined {
    return this.parts[this.at]?.text;
  }

  submit(connection: PgConnection): Error | null {
    // every value converted before anything is written: a value that cannot be sent refuses the
    // whole pipeline without a byte on the wire (a half-written pipeline would run its first parts)
    let values: unknown[][];
    try {
      values = this.parts.map((q) => (q.values ?? []).map((v) => prepareValue(v)));
    } catch (err) {
      return err as Error;
    }
    for (const q of this.parts) {
      const previous = q.name ? (connection.parsedStatements[q.name] ?? connection.submittedNamedStatements[q.name]) : undefined;
      if (previous !== undefined && previous !== q.text) return new Error(`Prepared statements must be unique - '${q.name}' was used for a different statement`);
    }
    connection.stream.cork?.();
    try {
      this.parts.forEach((q, i) => {
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

  handleRowDescription(msg: { fields: Field[] }): void {
    this.answers[this.at].describe(msg.fields, this.types);
  }

  handleDataRow(msg: { fields: Array<string | null> }): void {
    if (this.parseError) return;
    try {
      this.answers[this.at].row(msg.fields);
    } catch (err) {
      this.parseError = err as Error;
    }
  }

  handleCommandComplete(msg: { text?: string; command?: string }): void {
    this.answers[this.at].complete(msg.text ?? msg.command ?? '');
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
    for (let i = this.at + 1; i < this.parts.length; i++) {
      const name = this.parts[i].name;
      if (name && this.submittedByUs.has(name) && con.parsedStatements[name] === undefined) delete con.submittedNamedStatements[name];
    }
    this.finish(Object.assign(err, { [FAILED_AT]: { index: this.at, results: this.answers.slice(0, this.at) } }));
  }

  handleReadyForQuery(): void {
    if (this.parseError) return this.finish(this.parseError);
    this.finish(null, this.answers);
  }

  private finish(err: Error | null, results?: PartResult[]): void {
    const cb = this.callback;
    this.callback = undefined;
    cb?.(err, results);
  }
}

/** Sends the parts as one pipeline on `client`; resolves with each part's result (node-postgres `Result`s). */
export function sendPipelined(client: { query: (q: unknown) => unknown; _types?: unknown }, parts: Part[], query: (q: unknown) => unknown): Promise<PartResult[]> {
  return new Promise((resolve, reject) => {
    const p = new Pipelined(parts, client._types);
    p.callback = (err, results) => (err ? reject(err) : resolve(results!));
    query(p);
  });
}
