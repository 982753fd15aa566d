import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/app-error';

/** Deepest nesting of a JSON body: the deepest contract body (a household's members) is 4. */
export const MAX_JSON_DEPTH = 32;
/** Most keys and array items in one JSON body; a 200-member household is far below it. */
export const MAX_JSON_NODES = 20_000;

/**
 * Names of Object.prototype's members: as keys of a body they either vanish in transformation
 * (`__proto__`, `constructor`) or slip past unknown-field checks that look names up on an object.
 * No field of the API is called so, so they are refused wherever they appear.
 */
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * The shape of a parsed JSON body is checked before anything transforms or validates it:
 * nesting deeper than MAX_JSON_DEPTH (class-transformer recurses and overflows the stack) or
 * more than MAX_JSON_NODES keys and items (validation cost grows faster than the body) is a
 * 400 at once; so is a key named like a member of Object.prototype. Walks iteratively, so the
 * check itself cannot overflow.
 */
export function jsonShapeGuard(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object') return next();
  const stack: Array<[unknown, number, string]> = [[body, 1, '']];
  let nodes = 0;
  while (stack.length) {
    const [value, depth, path] = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) {
      return next(AppError.validation({ body: `嵌套层级过深（最多 ${MAX_JSON_DEPTH} 层）` }, '请求内容结构不正确'));
    }
    if (!Array.isArray(value)) {
      const bad = Object.keys(value as object).find((k) => PROTOTYPE_KEYS.has(k));
      if (bad !== undefined) return next(AppError.validation({ [path ? `${path}.${bad}` : bad]: '不允许的字段' }, '请求中含有不允许的字段'));
    }
    const keys = Array.isArray(value) ? null : Object.keys(value as object);
    const children = Array.isArray(value) ? value : keys!.map((k) => (value as Record<string, unknown>)[k]);
    nodes += children.length;
    if (nodes > MAX_JSON_NODES) {
      return next(AppError.validation({ body: `字段或元素过多（最多 ${MAX_JSON_NODES} 个）` }, '请求内容过大'));
    }
    children.forEach((child, i) => {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1, `${path ? `${path}.` : ''}${keys ? keys[i] : i}`]);
    });
  }
  next();
}
