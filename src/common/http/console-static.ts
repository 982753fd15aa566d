import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';

/**
 * The console (issue 20): a Vue app built into `consoleDir` (dist/console) and served by the
 * service itself, same origin. Every console path lives under `/app/` — the console's pages
 * (`/app/tasks`, `/app/cases/:id`, …) never collide with an API path (`GET /tasks` is the API),
 * and a reload of any console page answers the page (the SPA fallback answers only under
 * `/app/`). `GET /` sends a browser to `/app/`. No token is needed for these files; the API
 * keeps its guard. The console's pages carry a strict CSP: scripts only from this origin (no
 * inline script, no eval).
 */
export const CONSOLE_PREFIX = '/app';
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type Next = (err?: unknown) => void;

export function consoleMiddleware(dir: string | undefined): ((req: IncomingMessage, res: ServerResponse, next: Next) => void) | null {
  if (!dir || !existsSync(join(dir, 'index.html'))) return null;
  const index = readFileSync(join(dir, 'index.html'));
  const files = express.static(dir, { index: false, fallthrough: true, maxAge: 0, setHeaders: (res, path) => {
    // hashed asset names never change content: cache them; anything else is checked each time
    if (/[\\/]assets[\\/]/.test(path)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  } });
  return (req, res, next) => {
    const url = req.url ?? '/';
    // an API path (neither `/` nor under /app): nothing to do, at no cost (issue 21)
    if (!url.startsWith(CONSOLE_PREFIX) && url !== '/' && !url.startsWith('/?')) return next();
    const path = url.split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') {
      res.statusCode = 302;
      res.setHeader('Location', `${CONSOLE_PREFIX}/`);
      res.end();
      return;
    }
    if (path !== CONSOLE_PREFIX && !path.startsWith(`${CONSOLE_PREFIX}/`)) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    const inner = path.slice(CONSOLE_PREFIX.length) || '/';
    const sendIndex = () => {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache');
      res.end(req.method === 'HEAD' ? undefined : index);
    };
    // a file of the build (assets, icons); anything else under /app/ is a console page
    if (/\.[a-z0-9]+$/i.test(inner) && inner !== '/index.html') {
      const original = req.url;
      req.url = inner + (url.includes('?') ? url.slice(url.indexOf('?')) : '');
      return files(req as express.Request, res as express.Response, (err?: unknown) => {
        req.url = original;
        if (err) return next(err);
        // a missing asset is a 404 in the service's shape (the API's own not-found)
        next();
      });
    }
    sendIndex();
  };
}
