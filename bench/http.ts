/**
 * A thin client over Node's built-in fetch (undici; keep-alive is its default). Every call is
 * timed from sending the request to having read the whole response body; a response with an
 * unexpected status, a timeout or a network failure is recorded with the exact request and
 * response and thrown as a {@link RequestFailed}.
 */
import type { Recorder } from './stats';

export class RequestFailed extends Error {
  constructor(
    readonly label: string,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  expect?: number;
}

const MAX_TEXT = 2000;

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly recorder: Recorder,
    private readonly stop: AbortSignal,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  async call<T = any>(label: string, method: string, path: string, opts: CallOptions = {}): Promise<T> {
    return (await this.timed<T>(label, method, path, opts)).body;
  }

  /** As {@link call}, also giving the request's time as recorded (ms). */
  async timed<T = any>(label: string, method: string, path: string, opts: CallOptions = {}): Promise<{ body: T; ms: number }> {
    const expect = opts.expect ?? (method === 'POST' || method === 'PUT' ? 201 : 200);
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body: string | FormData | undefined;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) body = opts.form;

    const describe = () => {
      const extra = Object.entries(opts.headers ?? {}).map(([k, v]) => ` ${k}: ${v}`).join('');
      return `${method} ${path}${extra}`;
    };
    const requestBody = opts.json !== undefined ? opts.json : opts.form ? formSummary(opts.form) : undefined;

    if (this.stop.aborted) throw new RequestFailed(label, 'aborted', `${describe()}: run aborted`);
    const started = performance.now();
    let status: number;
    let text: string;
    try {
      const res = await fetch(this.baseUrl + path, {
        method,
        headers,
        body,
        signal: AbortSignal.any([this.stop, AbortSignal.timeout(this.requestTimeoutMs)]),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const kind = this.stop.aborted
        ? 'aborted'
        : e.name === 'TimeoutError'
          ? 'timeout'
          : `network:${e.cause?.code ?? e.name}`;
      const ms = performance.now() - started;
      const message = `${describe()}: ${kind} after ${ms.toFixed(0)} ms (${e.cause?.message ?? e.message})`;
      if (kind !== 'aborted') this.recorder.error({ label, status: kind, request: describe(), requestBody, response: message });
      throw new RequestFailed(label, kind, message);
    }
    const ms = performance.now() - started;
    if (status !== expect) {
      this.recorder.error({ label, status: String(status), request: describe(), requestBody, response: text.slice(0, MAX_TEXT) });
      throw new RequestFailed(label, String(status), `${describe()}: expected ${expect}, got ${status}: ${text.slice(0, 500)}`);
    }
    this.recorder.ok(label, ms);
    return { body: (text ? JSON.parse(text) : null) as T, ms };
  }
}

function formSummary(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  form.forEach((v, k) => {
    out[k] = typeof v === 'string' ? v : `<file ${(v as Blob).size} bytes>`;
  });
  return out;
}
