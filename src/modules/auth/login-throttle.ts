import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { In, MoreThan } from 'typeorm';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/unit-of-work';
import type { UserEntity } from '../../database/entities';
import { LoginEventEntity } from './login-events.entity';

/** Failures in a row that lock an account; each further five double the lock. */
export const ACCOUNT_FAILURES = 5;
export const ACCOUNT_LOCK_MS = 15 * 60_000;
const MAX_LOCK_MS = 24 * 3600_000;
/** Failures from one client address within the window that block the address. */
export const ADDRESS_FAILURES = 20;
export const ADDRESS_WINDOW_MS = 15 * 60_000;

const FAILED = ['bad_credentials', 'disabled'];

/**
 * Throttles password guessing, per account and per client address, from the login_events
 * table (so every instance counts the same attempts): five failures in a row lock the account
 * for 15 minutes, doubling with each further five (at most a day), until a success; twenty
 * failures from one address within 15 minutes block that address for the rest of the window.
 * Every attempt, refused or not, is recorded for admins.
 */
@Injectable()
export class LoginThrottle {
  constructor(private readonly uow: UnitOfWork) {}

  /** Refuses with 429 and Retry-After while the account or the address is locked. */
  async check(username: string, ip: string, now = new Date()): Promise<void> {
    const em = this.uow.manager;
    const byAddress = await em.count(LoginEventEntity, { where: { ip, at: MoreThan(new Date(now.getTime() - ADDRESS_WINDOW_MS)), outcome: In(FAILED) } });
    if (byAddress >= ADDRESS_FAILURES) {
      await this.record({ username, user: null, ip, outcome: 'throttled_address', now });
      throw refused('该地址登录失败次数过多，请稍后再试', ADDRESS_WINDOW_MS / 1000);
    }
    // the failures since the account's last success, within the longest lock
    const recent = await em.find(LoginEventEntity, {
      where: { username, at: MoreThan(new Date(now.getTime() - MAX_LOCK_MS)) },
      order: { at: 'DESC' },
      take: 200,
      select: { outcome: true, at: true },
    });
    const failures: Date[] = [];
    for (const e of recent) {
      if (e.outcome === 'success') break;
      if (FAILED.includes(e.outcome)) failures.push(e.at);
    }
    if (failures.length < ACCOUNT_FAILURES) return;
    const lockMs = Math.min(MAX_LOCK_MS, ACCOUNT_LOCK_MS * 2 ** (Math.floor(failures.length / ACCOUNT_FAILURES) - 1));
    const until = failures[0].getTime() + lockMs;
    if (until > now.getTime()) {
      await this.record({ username, user: null, ip, outcome: 'throttled_account', now });
      throw refused(`该账号连续登录失败 ${failures.length} 次，已暂时锁定，请稍后再试或联系管理员`, Math.ceil((until - now.getTime()) / 1000));
    }
  }

  async record(args: { username: string; user: UserEntity | null; ip: string; outcome: string; now?: Date }): Promise<void> {
    await this.uow.manager.insert(LoginEventEntity, {
      id: randomUUID(),
      username: args.username.slice(0, 64),
      userId: args.user?.id ?? null,
      areaCode: args.user?.areaCode ?? null,
      ip: args.ip.slice(0, 64),
      outcome: args.outcome,
      at: args.now ?? new Date(),
    });
  }
}

function refused(message: string, retryAfterSeconds: number): AppError {
  return new AppError(ErrorCode.TOO_MANY_ATTEMPTS, message, { retryAfterSeconds });
}
