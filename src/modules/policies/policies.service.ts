import { UnitOfWork } from '../../database/unit-of-work';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { In, LessThanOrEqual, Repository } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { isAreaCode, lineageOf } from '../../common/domain/area';
import {
  defaultPolicyValues,
  isPolicyKey,
  policyValueProblem,
  type PolicyValues,
} from '../../common/policy/policy-keys';
import { AreaEntity, PolicyVersionEntity } from '../../database/entities';
import { isUniqueViolation } from '../../common/errors/db-errors';

/** The pseudo-area of the national defaults, below which provinces and counties override. */
export const NATIONAL = '000000000000';

export interface EffectivePolicy {
  areaCode: string;
  /** e.g. `000000000000#1+410000000000#2`: every version merged, most general first */
  version: string;
  effectiveFrom: string;
  values: PolicyValues;
  sources: Array<{ areaCode: string; version: number; effectiveFrom: string }>;
  /** row ids, stored with a case so it keeps the rules in force when it was opened */
  ids: string[];
}

const label = (rows: PolicyVersionEntity[]) => rows.map((r) => `${r.areaCode}#${r.version}`).join('+');

@Injectable()
export class PoliciesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PoliciesService.name);
  /** policy versions are immutable, so caching rows by id is safe across instances */
  private readonly byId = new Map<string, PolicyVersionEntity>();

  constructor(private readonly uow: UnitOfWork) {}

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get versions(): Repository<PolicyVersionEntity> {
    return this.uow.manager.getRepository(PolicyVersionEntity);
  }

  /** A fresh database gets the national defaults of domain/parameters.md as version 1. */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.versions.existsBy({ areaCode: NATIONAL })) return;
    try {
      await this.versions.save(this.versions.create({
        areaCode: NATIONAL,
        version: 1,
        effectiveFrom: new Date('2020-01-01T00:00:00+08:00'),
        values: defaultPolicyValues() as unknown as Record<string, unknown>,
        createdById: null,
        createdAt: new Date(),
      }));
      this.logger.log('national default policy created');
    } catch (err) {
      // another instance created it first
      if (!(await this.versions.existsBy({ areaCode: NATIONAL }))) throw err;
    }
  }

  async effective(areaCode: string, at: Date = new Date()): Promise<EffectivePolicy> {
    const chain = areaCode === NATIONAL ? [NATIONAL] : [NATIONAL, ...lineageOf(areaCode)];
    const rows = await this.versions.find({
      where: { areaCode: In(chain), effectiveFrom: LessThanOrEqual(at) },
      order: { version: 'DESC' },
    });
    const latest = chain
      .map((code) => rows.find((r) => r.areaCode === code))
      .filter((r): r is PolicyVersionEntity => !!r);
    latest.forEach((r) => this.byId.set(r.id, r));
    return this.merge(areaCode, latest);
  }

  /** The values a case was opened under. */
  async forCase(areaCode: string, ids: string[]): Promise<EffectivePolicy> {
    const missing = ids.filter((id) => !this.byId.has(id));
    if (missing.length) {
      (await this.versions.findBy({ id: In(missing) })).forEach((r) => this.byId.set(r.id, r));
    }
    const rows = ids.map((id) => this.byId.get(id)).filter((r): r is PolicyVersionEntity => !!r);
    rows.sort((a, b) => (a.areaCode === NATIONAL ? -1 : b.areaCode === NATIONAL ? 1 : a.areaCode.localeCompare(b.areaCode)));
    return this.merge(areaCode, rows);
  }

  async put(areaCode: string, input: { effectiveFrom: string; values: Record<string, unknown> }, userId: string) {
    if (areaCode !== NATIONAL && !isAreaCode(areaCode)) throw AppError.validation({ areaCode: '应为12位统计用区划代码' });
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.values ?? {})) {
      if (!isPolicyKey(key)) fields[`values.${key}`] = '未知的参数名';
      else {
        // null removes this area's own value: the key is inherited from the area above again
        const problem = value === null ? null : policyValueProblem(key, value);
        if (problem) fields[`values.${key}`] = problem;
      }
    }
    if (Object.keys(fields).length) throw AppError.validation(fields, '政策参数不正确');
    if (areaCode !== NATIONAL && !(await this.versions.manager.existsBy(AreaEntity, { code: areaCode }))) {
      throw AppError.validation({ areaCode: `行政区划 ${areaCode} 尚未登记` });
    }
    const row = await this.insertNextVersion(areaCode, input, userId);
    return { areaCode, version: row.version, effectiveFrom: row.effectiveFrom.toISOString(), values: row.values };
  }

  /** Version numbers per area are consecutive; concurrent writers retry on the unique index. */
  private async insertNextVersion(areaCode: string, input: { effectiveFrom: string; values: Record<string, unknown> }, userId: string) {
    for (let attempt = 0; ; attempt++) {
      const last = await this.versions.findOne({ where: { areaCode }, order: { version: 'DESC' } });
      try {
        return await this.versions.save(
          this.versions.create({
            areaCode,
            version: (last?.version ?? 0) + 1,
            effectiveFrom: new Date(input.effectiveFrom),
            // a new version carries this area's earlier values forward, changed by the ones given
            values: Object.fromEntries(
              Object.entries({ ...(last?.values ?? {}), ...input.values }).filter(([, v]) => v !== null),
            ),
            createdById: userId,
            createdAt: new Date(),
          }),
        );
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 10) throw err;
      }
    }
  }

  private merge(areaCode: string, rows: PolicyVersionEntity[]): EffectivePolicy {
    const values = Object.assign({}, ...rows.map((r) => r.values)) as PolicyValues;
    const from = rows.reduce((max, r) => (r.effectiveFrom > max ? r.effectiveFrom : max), new Date(0));
    return {
      areaCode,
      version: label(rows),
      effectiveFrom: from.toISOString(),
      values,
      sources: rows.map((r) => ({ areaCode: r.areaCode, version: r.version, effectiveFrom: r.effectiveFrom.toISOString() })),
      ids: rows.map((r) => r.id),
    };
  }
}
