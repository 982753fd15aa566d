import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { hashPassword, verifyPassword } from '../../common/auth/password';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { toAuthUser, UsersService } from './users.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
  ) {}

  /** A hash no password matches, verified for unknown users so both answers take as long. */
  private readonly decoy = hashPassword(randomUUID());

  async login(username: string, password: string): Promise<{ accessToken: string; user: AuthUser }> {
    const user = await this.users.findByUsername(username);
    // the same scrypt work whether or not the account exists: usernames cannot be probed by time
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.decoy));
    if (!user || !ok || user.disabled) throw new AppError(ErrorCode.UNAUTHENTICATED, '用户名或密码错误');
    return { accessToken: await this.jwt.signAsync({ sub: user.id, role: user.role }), user: toAuthUser(user) };
  }
}
