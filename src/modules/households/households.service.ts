import { Injectable } from '@nestjs/common';
import { piiHash } from '../../common/crypto/pii';
import { In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea, narrowArea } from '../../common/auth/scope';
import { isWithin, levelOf } from '../../common/domain/area';
import { birthDateOf, maskIdNumber, maskPhone } from '../../common/domain/id-number';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { AreaEntity, HouseholdEntity, HouseholdMemberEntity } from '../../database/entities';
import { CreateHouseholdDto, HouseholdListQuery } from './households.dto';
import { PersonalDataReads } from './personal-data-reads';
import { appendHistory, memberState } from '../registry/history';
import { isRowId } from '../../common/domain/row-id';

/** Full ID numbers and phones only for roles above village, inside the household's area. */
export function seesPersonalData(user: AuthUser, areaCode: string): boolean {
  return ['township', 'county', 'supervisor'].includes(user.role) && isWithin(areaCode, user.areaCode);
}

export function householdView(h: HouseholdEntity, members: HouseholdMemberEntity[], user: AuthUser) {
  const full = seesPersonalData(user, h.areaCode);
  return {
    id: h.id,
    areaCode: h.areaCode,
    householdCode: h.householdCode ?? null,
    householderName: h.householderName,
    address: h.address,
    phone: full ? (h.phone ?? null) : maskPhone(h.phone),
    isFormerlyPoor: h.isFormerlyPoor,
    /** issue 13: raised by every change; its history is GET /households/{id}/history */
    version: h.version ?? 0,
    members: members
      .sort((a, b) => a.position - b.position)
      .map((m) => ({
        id: m.id,
        name: m.name,
        idNumber: full ? m.idNumber : maskIdNumber(m.idNumber),
        relation: m.relation,
        gender: m.gender,
        birthDate: m.birthDate,
        laborAbility: m.laborAbility,
        disability: m.disability,
        employment: m.employment,
        phone: full ? m.phone : maskPhone(m.phone),
      })),
    createdAt: h.createdAt.toISOString(),
    updatedAt: h.updatedAt.toISOString(),
  };
}

@Injectable()
export class HouseholdsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly reads: PersonalDataReads,
  ) {}

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get households(): Repository<HouseholdEntity> {
    return this.uow.manager.getRepository(HouseholdEntity);
  }

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get members(): Repository<HouseholdMemberEntity> {
    return this.uow.manager.getRepository(HouseholdMemberEntity);
  }

  async create(dto: CreateHouseholdDto, user: AuthUser) {
    if (!['village', 'township', 'county'].includes(user.role)) {
      throw new AppError(ErrorCode.ROLE_REQUIRED, '只有村、乡镇、县级经办人员可以登记农户', { requiredRoles: ['village', 'township', 'county'] });
    }
    if (levelOf(dto.areaCode) !== 'village') throw AppError.validation({ areaCode: '农户必须登记在村（12位村级代码）' });
    assertInArea(user, dto.areaCode, '行政区划');
    const fields: Record<string, string> = {};
    const seen = new Set<string>();
    dto.members.forEach((m, i) => {
      if (birthDateOf(m.idNumber) !== m.birthDate) fields[`members.${i}.birthDate`] = '出生日期与身份证号不一致';
      const male = Number(m.idNumber[16]) % 2 === 1;
      if ((m.gender === 'male') !== male) fields[`members.${i}.gender`] = '性别与身份证号不一致';
      if (seen.has(m.idNumber)) fields[`members.${i}.idNumber`] = '同一身份证号重复填写';
      seen.add(m.idNumber);
    });
    if (Object.keys(fields).length) throw AppError.validation(fields, '家庭成员信息有误');

    const { household, rows } = await this.uow.transaction(async (em) => {
      if (!(await em.existsBy(AreaEntity, { code: dto.areaCode }))) {
        throw AppError.validation({ areaCode: `村 ${dto.areaCode} 尚未登记` });
      }
      const taken = await em.findBy(HouseholdMemberEntity, { idNumberHash: In([...seen].map(piiHash)) });
      if (taken.length) {
        throw new AppError(ErrorCode.ALREADY_EXISTS, '有成员已登记在其他农户中，一人只能属于一户', {
          fields: Object.fromEntries(taken.map((t) => [`members.${dto.members.findIndex((m) => m.idNumber === t.idNumber)}.idNumber`, '已登记'])),
        });
      }
      const now = new Date();
      const household = await em.save(
        em.create(HouseholdEntity, {
          areaCode: dto.areaCode,
          householderName: dto.householderName,
          address: dto.address,
          isFormerlyPoor: dto.isFormerlyPoor,
          householdCode: null,
          phone: null,
          version: 1,
          createdById: user.id,
          createdAt: now,
          updatedAt: now,
        }),
      );
      const rows = await em.save(
        dto.members.map((m, position) =>
          em.create(HouseholdMemberEntity, {
            householdId: household.id,
            position,
            name: m.name,
            idNumber: m.idNumber,
            idNumberHash: piiHash(m.idNumber),
            relation: m.relation,
            gender: m.gender,
            birthDate: m.birthDate,
            laborAbility: m.laborAbility,
            disability: m.disability ?? null,
            employment: m.employment,
            phone: m.phone ?? null,
          }),
        ),
      );
      // issue 13: version 1, the first entry of the household's history
      await appendHistory(em, household, rows, 1, {
        change: 'registered',
        date: null,
        reason: null,
        memberId: null,
        before: null,
        after: { members: rows.map(memberState) },
        evidence: [],
        source: 'api',
      }, user, now);
      return { household, rows };
    });
    return householdView(household, rows, user);
  }

  async load(id: string, user: AuthUser): Promise<{ household: HouseholdEntity; members: HouseholdMemberEntity[] }> {
    const household = isRowId(id) ? await this.households.findOneBy({ id }) : null;
    if (!household) throw AppError.notFound('农户');
    assertInArea(user, household.areaCode, '农户');
    return { household, members: await this.members.findBy({ householdId: id }) };
  }

  async get(id: string, user: AuthUser) {
    const { household, members } = await this.load(id, user);
    await this.recordFullReads(user, [household], 'GET /households/{id}');
    return householdView(household, members, user);
  }

  /** Every household shown with full ID numbers and phones is recorded (who, which, when). */
  private recordFullReads(user: AuthUser, households: HouseholdEntity[], purpose: string): Promise<void> {
    return this.reads.record(user, households.filter((h) => seesPersonalData(user, h.areaCode)), purpose);
  }

  async list(user: AuthUser, q: HouseholdListQuery) {
    const qb = this.households.createQueryBuilder('h');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('h.areaCode LIKE :like', { like });
    const name = q.q?.replace(/[%_\\]/g, '').trim();
    if (q.q) {
      // a name fragment, or a full ID number; wildcards typed by the user match nothing by themselves
      qb.andWhere(
        name
          ? '(h.householderName LIKE :name OR h.id IN (SELECT m."householdId" FROM household_members m WHERE m."idNumberHash" = :id))'
          : 'h.id IN (SELECT m."householdId" FROM household_members m WHERE m."idNumberHash" = :id)',
        // ID numbers are stored encrypted: a full one is found through its keyed hash
        { name: `%${name}%`, id: piiHash(q.q.trim().toUpperCase()) },
      );
    }
    const [rows, total] = await qb.orderBy('h.createdAt', 'DESC').addOrderBy('h.id').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    const members = rows.length ? await this.members.findBy({ householdId: In(rows.map((r) => r.id)) }) : [];
    await this.recordFullReads(user, rows, 'GET /households');
    return {
      items: rows.map((h) => householdView(h, members.filter((m) => m.householdId === h.id), user)),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}
