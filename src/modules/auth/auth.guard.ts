import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { IS_PUBLIC, ROLES_KEY } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { ROLE_LABELS, titleOf } from '../../common/domain/enums';
import { toAuthUser, UsersService } from './users.service';

interface TokenPayload {
  sub: string;
  iat?: number;
  at?: number;
  exp?: number;
}

/**
 * Issue 21: a token's signature is checked once per process, not on every request (HMAC and
 * JSON parsing were ~1.7 % of a step's CPU). What is kept is the verified payload of that exact
 * token string, used only until the token's own expiry; the user behind it (disabled, role,
 * area, logged out) is still checked on every request below. Bounded: emptied when full.
 */
const VERIFIED = new Map<string, { payload: TokenPayload; expiresAt: number }>();
const MAX_VERIFIED = 10_000;

function verifiedUntilExpiry(token: string): TokenPayload | null {
  const hit = VERIFIED.get(token);
  if (!hit) return null;
  if (Date.now() < hit.expiresAt) return hit.payload;
  VERIFIED.delete(token);
  return null;
}

function remember(token: string, payload: TokenPayload): void {
  // a token without an expiry is verified every time
  if (typeof payload.exp !== 'number') return;
  if (VERIFIED.size >= MAX_VERIFIED) VERIFIED.clear();
  VERIFIED.set(token, { payload, expiresAt: payload.exp * 1000 });
}

/**
 * Global guard: every route needs a valid bearer token unless marked @Public. The user is
 * checked on every request (from memory while the change feed is live, which every change to
 * the users table empties on every instance at commit), so disabling a user or changing their
 * role or area takes effect at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw new AppError(ErrorCode.UNAUTHENTICATED, '请先登录（缺少访问令牌）');
    let payload = verifiedUntilExpiry(token);
    if (!payload) {
      try {
        payload = await this.jwt.verifyAsync<TokenPayload>(token);
      } catch {
        throw new AppError(ErrorCode.UNAUTHENTICATED, '访问令牌无效或已过期，请重新登录');
      }
      remember(token, payload);
    }
    const user = await this.users.findForToken(payload.sub);
    if (!user || user.disabled) throw new AppError(ErrorCode.UNAUTHENTICATED, '账号不存在或已停用');
    // 退出登录 (issue 20): a token issued at or before the account's logout is ended
    const issuedAt = typeof payload.at === 'number' ? payload.at : (payload.iat ?? 0) * 1000;
    if (user.tokensEndedAt && issuedAt <= new Date(user.tokensEndedAt).getTime()) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, '您已退出登录，请重新登录');
    }
    req.user = toAuthUser(user);

    const roles = this.reflector.getAllAndOverride<AuthUser['role'][] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(req.user.role)) {
      throw new AppError(ErrorCode.ROLE_REQUIRED, `此操作需要以下角色：${roles.map((r) => titleOf(ROLE_LABELS, r)).join('、')}`, {
        requiredRoles: roles,
      });
    }
    return true;
  }
}
