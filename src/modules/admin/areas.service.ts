import { UnitOfWork } from '../../database/unit-of-work';
import { Injectable } from '@nestjs/common';
import { Repository } from 'typeorm';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { type AreaLevel, levelOf, parentOf } from '../../common/domain/area';
import { AreaEntity } from '../../database/entities';

export interface AreaView {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
}

const view = (a: AreaEntity): AreaView => ({ code: a.code, name: a.name, level: a.level, parentCode: a.parentCode });

@Injectable()
export class AreasService {
  constructor(private readonly uow: UnitOfWork) {}

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get areas(): Repository<AreaEntity> {
    return this.uow.manager.getRepository(AreaEntity);
  }

  async create(input: { code: string; name: string; level: AreaLevel }): Promise<AreaView> {
    const level = levelOf(input.code);
    if (level !== input.level) {
      throw AppError.validation({ level: `代码 ${input.code} 对应的层级是 ${level ?? '无效'}，与 ${input.level} 不符` });
    }
    const parentCode = parentOf(input.code);
    if (parentCode && !(await this.areas.existsBy({ code: parentCode }))) {
      throw AppError.validation({ code: `上级区划 ${parentCode} 不存在，请先创建` });
    }
    if (await this.areas.existsBy({ code: input.code })) {
      throw new AppError(ErrorCode.ALREADY_EXISTS, `区划代码 ${input.code} 已存在`);
    }
    // insert, not save: save() would turn a racing duplicate into an update
    const row = this.areas.create({ ...input, parentCode, createdAt: new Date() });
    await this.areas.insert(row);
    return view(row);
  }

  async get(code: string): Promise<AreaView> {
    const a = await this.areas.findOneBy({ code });
    if (!a) throw AppError.notFound('行政区划');
    return view(a);
  }

  async children(parent?: string): Promise<AreaView[]> {
    const rows = await this.areas.find({
      where: parent ? { parentCode: parent } : { level: 'province' },
      order: { code: 'ASC' },
    });
    return rows.map(view);
  }

  async names(codes: string[]): Promise<Map<string, string>> {
    if (!codes.length) return new Map();
    const rows = await this.areas.createQueryBuilder('a').where('a.code IN (:...codes)', { codes }).getMany();
    return new Map(rows.map((r) => [r.code, r.name]));
  }
}
