import { reactive } from 'vue';

/** The service's one error shape (src/common/errors): code, Chinese message, details. */
export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly body: ApiErrorBody) {
    super(body.message);
  }
}

/** A request that never reached the service (offline, connection lost). */
export class NetworkError extends Error {
  constructor() {
    super('网络不可用，请检查信号后重试');
  }
}

export interface User { id: string; username: string; displayName: string; role: string; areaCode: string; sector: string | null }

const KEY = 'console.session';
/** The token lives in memory and sessionStorage (this tab only), never in a URL. */
export const session = reactive<{ token: string | null; user: User | null }>(load());

function load(): { token: string | null; user: User | null } {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) return JSON.parse(raw);
  } catch { /* no storage */ }
  return { token: null, user: null };
}

export function setSession(token: string | null, user: User | null): void {
  session.token = token;
  session.user = user;
  if (token) sessionStorage.setItem(KEY, JSON.stringify({ token, user }));
  else sessionStorage.removeItem(KEY);
}

export const ROLE_TITLES: Record<string, string> = {
  village: '村级', township: '乡镇', county: '县级', department: '行业部门', supervisor: '监督', admin: '管理员', system: '系统',
};

let onUnauthenticated: (() => void) | null = null;
export function whenUnauthenticated(fn: () => void): void {
  onUnauthenticated = fn;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  form?: FormData;
  idempotencyKey?: string;
  raw?: boolean;
}

export async function api<T = any>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body });
  } catch {
    throw new NetworkError();
  }
  if (!res.ok) {
    let err: ApiErrorBody;
    try {
      err = await res.json();
    } catch {
      err = { statusCode: res.status, code: 'HTTP_' + res.status, message: `服务暂时无法处理（${res.status}）` };
    }
    if (res.status === 401 && session.token && path !== '/auth/login') {
      setSession(null, null);
      onUnauthenticated?.();
    }
    throw new ApiError(res.status, err);
  }
  if (opts.raw) return res as unknown as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? res.json() : res.text()) as Promise<T>;
}

export function newKey(): string {
  return crypto.randomUUID();
}

/** What a refusal names besides its message: the rule, the missing evidence and fields. */
export function refusalDetails(err: unknown, evidenceTitles: Record<string, string> = {}): string[] {
  if (!(err instanceof ApiError)) return [];
  const d = (err.body.details ?? {}) as Record<string, any>;
  const out: string[] = [];
  out.push(`错误代码：${err.body.code}`);
  if (d.rule) out.push(`规则：${d.rule}${d.ruleTitle ? `（${d.ruleTitle}）` : ''}`);
  const missing = d.missingEvidence as string[] | undefined;
  if (missing?.length) out.push(`缺少材料：${missing.map((m) => evidenceTitles[m] ?? m).join('、')}`);
  if (d.fields && typeof d.fields === 'object') {
    for (const [k, v] of Object.entries(d.fields)) out.push(`${k}：${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  if (Array.isArray(d.violations)) for (const v of d.violations) out.push(v.message ?? JSON.stringify(v));
  if (d.retryAfterSeconds) out.push(`请在 ${d.retryAfterSeconds} 秒后重试`);
  return out;
}

/** Evidence types with their Chinese titles, fetched once. */
let evidenceTypes: Promise<Record<string, string>> | null = null;
export function evidenceTitles(): Promise<Record<string, string>> {
  evidenceTypes ??= api<Array<{ id: string; title: string }>>('/evidence/types')
    .then((list) => Object.fromEntries(list.map((t) => [t.id, t.title])))
    .catch(() => {
      evidenceTypes = null;
      return {};
    });
  return evidenceTypes;
}

const definitions = new Map<string, Promise<any>>();
export function definition(procedure: string): Promise<any> {
  if (!definitions.has(procedure)) definitions.set(procedure, api(`/procedures/${procedure}`).catch((e) => { definitions.delete(procedure); throw e; }));
  return definitions.get(procedure)!;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}
