import { ChangeFeed, InvalidatedCache } from '../../database/change-feed';
import { UnitOfWork } from '../../database/unit-of-work';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import type { AuthUser } from '../../common/auth/auth-user';
import { hashPassword } from '../../common/auth/password';
import { roleLevelProblem } from '../../common/domain/area';
import { passwordProblem } from '../../common/auth/password-policy';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { AreaEntity, UserEntity } from '../../database/entities';
import type { UserRole } from '../../common/domain/enums';
import { appendLedger, ledgerRecord } from '../audit/record-ledger';
import { isRowId } from '../../common/domain/row-id';

export interface NewUser {
  username: string;
  password: string;
  displayName: string;
  role: UserRole;
  areaCode: string | null;
  sector: string | null;
}

export function toAuthUser(u: UserEntity): AuthUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role as UserRole,
    areaCode: u.areaCode,
    sector: u.sector,
  };
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly feed: ChangeFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.byToken = new InvalidatedCache<UserEntity | null>(feed, 'users');
  }

  private readonly byToken: InvalidatedCache<UserEntity | null>;

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get users(): Repository<UserEntity> {
    return this.uow.manager.getRepository(UserEntity);
  }

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get areas(): Repository<AreaEntity> {
    return this.uow.manager.getRepository(AreaEntity);
  }

  /** On first start with no admin, create one from BOOTSTRAP_ADMIN_* (api-contract.md). */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin || (await this.users.count({ where: { role: 'admin' } })) > 0) return;
    await this.create({ ...admin, displayName: '系统管理员', role: 'admin', areaCode: null, sector: null }, { passwordPolicy: this.config.production });
    this.logger.log(`bootstrap admin "${admin.username}" created`);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /**
   * The user behind a token, on every request: from memory while the change feed is live
   * (any change to users, on any instance, empties it at commit), else from the database.
   */
  findForToken(id: string): Promise<UserEntity | null> {
    return this.byToken.get(id, () => this.users.findOneBy({ id }));
  }

  /**
   * 退出登录 (issue 20): every token of the account issued until now is refused from now on. Only
   * this column is written (not `updatedAt`: the account's ledger record is unchanged); the users
   * table's change feed empties every instance's cached account at commit.
   */
  async endTokens(id: string, at = new Date()): Promise<void> {
    await this.uow.manager.createQueryBuilder().update(UserEntity).set({ tokensEndedAt: at }).where('id = :id', { id }).execute();
    this.feed.changedHere('users');
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  /**
   * `passwordPolicy` false only for the development bootstrap admin (`admin` / `Admin@2026`,
   * documented); in production its password was checked when the configuration was read.
   */
  async create(input: NewUser, opts: { passwordPolicy?: boolean; actorId?: string } = {}): Promise<UserEntity> {
    const weak = opts.passwordPolicy === false ? null : passwordProblem(input.password, input.username, { production: this.config.production });
    if (weak) throw AppError.validation({ password: weak }, '密码不符合要求');
    await this.checkArea(input.role, input.areaCode, input.sector);
    if (await this.users.existsBy({ username: input.username })) {
      throw new AppError(ErrorCode.ALREADY_EXISTS, `用户名“${input.username}”已存在`, { fields: { username: 'exists' } });
    }
    const now = new Date();
    const row = this.users.create({
        username: input.username,
        passwordHash: await hashPassword(input.password),
        displayName: input.displayName,
        role: input.role,
        areaCode: input.areaCode,
        sector: input.role === 'department' ? input.sector : null,
        disabled: false,
        createdAt: now,
        updatedAt: now,
    });
    // issue 12: the account and its ledger entry (the user's chain), together or not at all
    await this.uow.transaction(async (em) => {
      await em.insert(UserEntity, row);
      await appendLedger(em, { kind: 'users', subjectId: row.id, areaCode: row.areaCode, recordId: row.id, op: 'create', record: ledgerRecord.users(row), actorId: opts.actorId ?? null, at: now });
    });
    this.feed.changedHere('users');
    return row;
  }

  /** `authorise` sees the account as it is before anything changes (the caller's scope check). */
  async update(
    id: string,
    patch: { role?: UserRole; areaCode?: string; disabled?: boolean; sector?: string | null },
    authorise: (current: UserEntity) => void = () => undefined,
    actorId?: string,
  ): Promise<UserEntity> {
    const user = isRowId(id) ? await this.users.findOneBy({ id }) : null;
    if (!user) throw AppError.notFound('用户');
    authorise(user);
    const role = patch.role ?? (user.role as UserRole);
    const areaCode = patch.areaCode ?? user.areaCode;
    const sector = patch.sector !== undefined ? patch.sector : user.sector;
    await this.checkArea(role, areaCode, sector);
    Object.assign(user, { role, areaCode, sector: role === 'department' ? sector : null, updatedAt: new Date() });
    if (patch.disabled !== undefined) user.disabled = patch.disabled;
    const saved = await this.uow.transaction(async (em) => {
      const stored = await em.save(UserEntity, user);
      await appendLedger(em, { kind: 'users', subjectId: stored.id, areaCode: stored.areaCode, recordId: stored.id, op: 'update', record: ledgerRecord.users(stored), actorId: actorId ?? null, at: stored.updatedAt });
      return stored;
    });
    this.feed.changedHere('users');
    return saved;
  }

  private async checkArea(role: UserRole, areaCode: string | null, sector: string | null): Promise<void> {
    if (role === 'admin' && areaCode === null) return;
    if (!areaCode) throw AppError.validation({ areaCode: '除系统管理员外，用户必须属于一个行政区划' });
    const levelProblem = roleLevelProblem(role, areaCode);
    if (levelProblem) throw AppError.validation({ areaCode: levelProblem }, '角色与行政区划层级不符');
    if (!(await this.areas.existsBy({ code: areaCode }))) {
      throw AppError.validation({ areaCode: `行政区划 ${areaCode} 不存在` });
    }
    if (role === 'department' && !sector) throw AppError.validation({ sector: '行业部门用户必须指定所属行业' });
  }
}
