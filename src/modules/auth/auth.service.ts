import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { hashPassword, verifyPassword } from '../../common/auth/password';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { LoginThrottle } from './login-throttle';
import { toAuthUser, UsersService } from './users.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottle,
  ) {}

  /** A hash no password matches, verified for unknown users so both answers take as long. */
  private readonly decoy = hashPassword(randomUUID());

  async login(username: string, password: string, ip = 'unknown'): Promise<{ accessToken: string; user: AuthUser }> {
    await this.throttle.check(username, ip);
    const user = await this.users.findByUsername(username);
    // the same scrypt work whether or not the account exists: usernames cannot be probed by time
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.decoy));
    const outcome = !user || !ok ? 'bad_credentials' : user.disabled ? 'disabled' : 'success';
    await this.throttle.record({ username, user, ip, outcome });
    if (outcome !== 'success' || !user) throw new AppError(ErrorCode.UNAUTHENTICATED, '用户名或密码错误');
    // `at`: the issue instant in milliseconds, so a logout in the same second ends this token too (issue 20)
    return { accessToken: await this.jwt.signAsync({ sub: user.id, role: user.role, at: Date.now() }), user: toAuthUser(user) };
  }
}
