import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { verifyPassword } from '../../common/auth/password';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { toAuthUser, UsersService } from './users.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
  ) {}

  async login(username: string, password: string): Promise<{ accessToken: string; user: AuthUser }> {
    const user = await this.users.findByUsername(username);
    const ok = user ? await verifyPassword(password, user.passwordHash) : false;
    if (!user || !ok || user.disabled) throw new AppError(ErrorCode.UNAUTHENTICATED, '用户名或密码错误');
    return { accessToken: await this.jwt.signAsync({ sub: user.id, role: user.role }), user: toAuthUser(user) };
  }
}
