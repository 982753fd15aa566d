import { AppError } from '../errors/app-error';
import { areaPrefix, isWithin } from '../domain/area';
import type { AuthUser } from './auth-user';

/** Records outside the caller's area are invisible: 404, never 403 (api-contract.md). */
export function assertInArea(user: AuthUser, areaCode: string, what = '记录'): void {
  if (!isWithin(areaCode, user.areaCode)) throw AppError.notFound(what);
}

/** `LIKE` pattern selecting the caller's area, or null for global scope. */
export function areaLike(user: AuthUser): string | null {
  return user.areaCode === null ? null : `${areaPrefix(user.areaCode)}%`;
}

/** Narrows a requested area filter to the caller's scope; a filter outside it is a 404. */
export function narrowArea(user: AuthUser, requested?: string): string | null {
  if (!requested) return areaLike(user);
  assertInArea(user, requested, '行政区划');
  return `${areaPrefix(requested)}%`;
}

/**
 * An admin manages only its own area and below (issue 11): users, areas, policies, webhooks.
 * `areaCode` null stands for what belongs to no area — a global account, the national policy —
 * which only a global admin (area null) may touch; anything in another area is a 404 like any
 * record outside the caller's area.
 */
export function assertAdminOver(actor: AuthUser, areaCode: string | null, what = '行政区划'): void {
  if (actor.areaCode === null) return;
  if (areaCode === null) throw AppError.forbidden('只有全局系统管理员可以管理全局账号和全国政策参数');
  assertInArea(actor, areaCode, what);
}
