/**
 * The console's browser tests (issue 20) run against the service started the README way on the
 * embedded default: the build in dist/ (scripts/test.sh builds first), `npm run seed` and
 * `npm start` as child processes on a fresh DATA_DIR and a port of their own, driven by Debian's
 * Chromium through playwright-core (Playwright's own browser download cannot be reached here).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

const root = resolve(process.cwd());

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export interface Service {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  api<T = any>(path: string, opts?: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T }>;
  login(username: string, password?: string): Promise<string>;
}

export async function startService(): Promise<Service> {
  if (!existsSync(join(root, 'dist/src/main.js')) || !existsSync(join(root, 'dist/console/index.html'))) {
    throw new Error('dist/ is not built: run `npm run build` first (scripts/test.sh does)');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'console-browser-'));
  const port = Number(process.env.BROWSER_TEST_PORT ?? (await freePort()));
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', NODE_OPTIONS: '' };
  delete (env as Record<string, string | undefined>).DATABASE_URL;
  delete (env as Record<string, string | undefined>).REDIS_URL;
  await promisify(execFile)('node', ['dist/seeds/run.js'], { cwd: root, env });
  const child: ChildProcess = spawn('node', ['dist/src/main.js'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (child.exitCode !== null || i > 120) throw new Error(`the service did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const api: Service['api'] = async (path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(url + path, { method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'), headers, body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined });
    const text = await r.text();
    let body: any = text;
    try { body = JSON.parse(text); } catch { /* text */ }
    return { status: r.status, body };
  };
  return {
    url,
    dataDir,
    api,
    async login(username, password = username === 'admin' ? 'Admin@2026' : 'Demo@2026') {
      const r = await api<{ accessToken: string }>('/auth/login', { body: { username, password } });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
      return r.body.accessToken;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => { if (child.exitCode !== null) r(null); else child.once('exit', r); setTimeout(r, 10_000).unref(); });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  // Playwright's launch gives every run a fresh, temporary user-data-dir of its own
  // --lang: the browser's own words (a file input's button) in Chinese too
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, '--lang=zh-CN'] });
}

/** A small valid PNG (the evidence store checks the kind from the content). */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
export const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
