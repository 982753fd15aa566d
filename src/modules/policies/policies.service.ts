import { ChangeFeed, InvalidatedCache } from '../../database/change-feed';
import { UnitOfWork } from '../../database/unit-of-work';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { In, Repository, type EntityManager } from 'typeorm';
import stringify from 'json-stable-stringify';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { areaPrefix, isAreaCode, lineageOf } from '../../common/domain/area';
import { reasonProblem } from '../../common/domain/reason';
import { verifyLinkedChain } from '../../common/audit/audit-hash';
import {
  defaultPolicyValues,
  isPolicyKey,
  policyValueProblem,
  type PolicyKey,
  type PolicyValues,
} from '../../common/policy/policy-keys';
import {
  type BoundViolation,
  boundShapeProblem,
  boundViolations,
  defaultPolicyBounds,
  type PolicyBound,
  type PolicyBounds,
} from '../../common/policy/policy-bounds';
import { AreaEntity, PolicyVersionEntity, UserEntity } from '../../database/entities';
import {
  appendPolicyLedger,
  hashedFieldsOf,
  lastBoundsEntry,
  type LedgerActor,
  ledgerHash,
  lockPolicyWrites,
  PolicyLedgerEntryEntity,
  SYSTEM_ACTOR,
} from './policy-ledger';

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

export interface CurrentBounds {
  version: number;
  bounds: PolicyBounds;
  changedAt: string;
  changedBy: LedgerActor;
  reason: string | null;
}

const label = (rows: PolicyVersionEntity[]) => rows.map((r) => `${r.areaCode}#${r.version}`).join('+');

const versionState = (v: PolicyVersionEntity) => ({ effectiveFrom: v.effectiveFrom.toISOString(), values: v.values });

/** The refusal of values outside the national bounds: each names the key, the value and the bound. */
function outsideBounds(violations: BoundViolation[], areaCode: string): AppError {
  return new AppError(ErrorCode.RULE_VIOLATED, `政策参数超出全国边界（${areaCode}）：${violations.map((v) => v.message).join('；')}`, {
    rule: 'within_national_bounds',
    violations: violations.map((v) => ({ key: v.key, value: v.value, bound: v.bound, message: v.message })),
  });
}

/**
 * The versions of one area that are or may still come in force at or after `now`: the latest
 * in force now and every later-dated one not superseded by a higher version dated before it.
 */
export function liveVersions(rows: PolicyVersionEntity[], now: Date): PolicyVersionEntity[] {
  const byArea = new Map<string, PolicyVersionEntity[]>();
  for (const r of rows) byArea.set(r.areaCode, [...(byArea.get(r.areaCode) ?? []), r]);
  const out: PolicyVersionEntity[] = [];
  for (const versions of byArea.values()) {
    for (const v of versions) {
      const from = v.effectiveFrom > now ? v.effectiveFrom : now;
      if (!versions.some((w) => w.version > v.version && w.effectiveFrom <= from)) out.push(v);
    }
  }
  return out;
}

@Injectable()
export class PoliciesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PoliciesService.name);
  /** policy versions are immutable, so caching rows by id is safe across instances */
  private readonly byId = new Map<string, PolicyVersionEntity>();
  /**
   * Issue 21: a case's merged policy by its area and version ids (every step asks for it; the
   * rows are immutable, so the merge is too). Frozen: a caller never changes what another reads.
   * Bounded: emptied when full.
   */
  private readonly mergedForCase = new Map<string, EffectivePolicy>();
  /**
   * Every version of the areas of a lineage (national first), whatever their dates: what
   * `effective` chooses from. Emptied on every change to policy_versions, by any instance or
   * by hand (PostgreSQL's change feed), and at once on this instance after its own writes.
   */
  private readonly lineages: InvalidatedCache<PolicyVersionEntity[]>;

  constructor(
    private readonly uow: UnitOfWork,
    feed: ChangeFeed,
  ) {
    this.lineages = new InvalidatedCache(feed, 'policy_versions', 5_000);
  }

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get versions(): Repository<PolicyVersionEntity> {
    return this.uow.manager.getRepository(PolicyVersionEntity);
  }

  /**
   * A fresh database gets the national bounds and the national defaults of domain/parameters.md
   * as their version 1, each a ledger entry. A database from before the ledger gets an entry
   * for each policy version it holds, and the log names the values outside the bounds.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.uow.transaction(async (em) => {
      await lockPolicyWrites(em);
      if (!(await lastBoundsEntry(em))) {
        await appendPolicyLedger(em, {
          kind: 'bounds',
          areaCode: NATIONAL,
          version: 1,
          policyVersionId: null,
          effectiveFrom: null,
          actor: SYSTEM_ACTOR,
          reason: '全国默认边界（domain/parameters.md）',
          before: null,
          after: defaultPolicyBounds() as unknown as Record<string, unknown>,
        });
        this.logger.log('national policy bounds created');
      }
      if (!(await em.existsBy(PolicyVersionEntity, { areaCode: NATIONAL }))) {
        const row = await em.save(em.create(PolicyVersionEntity, {
          areaCode: NATIONAL,
          version: 1,
          effectiveFrom: new Date('2020-01-01T00:00:00+08:00'),
          values: defaultPolicyValues() as unknown as Record<string, unknown>,
          createdById: null,
          createdAt: new Date(),
        }));
        await this.recordVersion(em, row, null, SYSTEM_ACTOR, '全国默认参数（domain/parameters.md）');
        this.logger.log('national default policy created');
      }
      await this.recordUnrecordedVersions(em);
      await this.reportOutsideBounds(em);
    });
  }

  /** Policy versions written before the ledger existed (or by a tool around the service) get their entry. */
  private async recordUnrecordedVersions(em: EntityManager): Promise<void> {
    const missing = await em
      .createQueryBuilder(PolicyVersionEntity, 'v')
      .leftJoin(PolicyLedgerEntryEntity, 'l', 'l.policyVersionId = v.id')
      .where('l.seq IS NULL')
      .orderBy('v.createdAt', 'ASC')
      .addOrderBy('v.areaCode', 'ASC')
      .addOrderBy('v.version', 'ASC')
      .getMany();
    if (!missing.length) return;
    const users = await em.findBy(UserEntity, { id: In([...new Set(missing.map((v) => v.createdById).filter((id): id is string => !!id))]) });
    for (const v of missing) {
      const previous = await em.findOne(PolicyVersionEntity, { where: { areaCode: v.areaCode, version: v.version - 1 } });
      const user = users.find((u) => u.id === v.createdById);
      const actor = user ? { id: user.id, username: user.username, role: user.role } : SYSTEM_ACTOR;
      await this.recordVersion(em, v, previous, actor, '台账启用前已有的版本，启动时补记', v.createdAt);
    }
    this.logger.warn({ versions: missing.map((v) => `${v.areaCode}#${v.version}`) }, `${missing.length} policy version(s) recorded in the policy ledger after the fact`);
  }

  /** Values stored before the bounds (or outside them by other means) stay in force; the log names them. */
  private async reportOutsideBounds(em: EntityManager): Promise<void> {
    const { bounds } = await this.currentBounds(em);
    const live = liveVersions(await em.find(PolicyVersionEntity), new Date());
    for (const v of live) {
      const violations = boundViolations(v.values, bounds);
      if (violations.length) {
        this.logger.warn(
          { areaCode: v.areaCode, version: v.version, violations: violations.map((x) => x.message) },
          `policy ${v.areaCode}#${v.version} holds values outside the national bounds; a new version of the area must bring them inside`,
        );
      }
    }
  }

  private recordVersion(em: EntityManager, row: PolicyVersionEntity, previous: PolicyVersionEntity | null, actor: LedgerActor, reason: string | null, at?: Date) {
    return appendPolicyLedger(em, {
      kind: 'version',
      areaCode: row.areaCode,
      version: row.version,
      policyVersionId: row.id,
      effectiveFrom: row.effectiveFrom,
      actor,
      reason,
      before: previous ? versionState(previous) : null,
      after: versionState(row),
      at,
    });
  }

  async effective(areaCode: string, at: Date = new Date()): Promise<EffectivePolicy> {
    const chain = areaCode === NATIONAL ? [NATIONAL] : [NATIONAL, ...lineageOf(areaCode)];
    const all = await this.lineages.get(chain.join(','), () => this.versions.find({ where: { areaCode: In(chain) }, order: { version: 'DESC' } }));
    const rows = all.filter((r) => r.effectiveFrom <= at);
    const latest = chain
      .map((code) => rows.find((r) => r.areaCode === code))
      .filter((r): r is PolicyVersionEntity => !!r);
    latest.forEach((r) => this.byId.set(r.id, r));
    return this.merge(areaCode, latest);
  }

  /** The values a case was opened under. */
  async forCase(areaCode: string, ids: string[]): Promise<EffectivePolicy> {
    const key = `${areaCode}|${ids.join(',')}`;
    const hit = this.mergedForCase.get(key);
    if (hit) return hit;
    const missing = ids.filter((id) => !this.byId.has(id));
    if (missing.length) {
      (await this.versions.findBy({ id: In(missing) })).forEach((r) => this.byId.set(r.id, r));
    }
    const rows = ids.map((id) => this.byId.get(id)).filter((r): r is PolicyVersionEntity => !!r);
    rows.sort((a, b) => (a.areaCode === NATIONAL ? -1 : b.areaCode === NATIONAL ? 1 : a.areaCode.localeCompare(b.areaCode)));
    const merged = this.merge(areaCode, rows);
    // a version id not found (never, but for a row removed by hand) is not remembered
    if (rows.length !== ids.length) return merged;
    Object.freeze(merged.values);
    Object.freeze(merged.sources);
    Object.freeze(merged.ids);
    if (this.mergedForCase.size >= 5_000) this.mergedForCase.clear();
    this.mergedForCase.set(key, Object.freeze(merged));
    return merged;
  }

  /**
   * A new version of an area's own values. Every value it would hold — the ones given and the
   * ones carried forward — must lie inside the national bounds (issue 12), at every level
   * including the national one; the version and its ledger entry are one transaction.
   */
  async put(areaCode: string, input: { effectiveFrom: string; values: Record<string, unknown>; reason?: string }, actor: LedgerActor) {
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
    if (input.reason !== undefined && input.reason.trim() === '') fields.reason = '理由不能为空白；不说明理由时请不传此字段';
    if (Object.keys(fields).length) throw AppError.validation(fields, '政策参数不正确');
    if (areaCode !== NATIONAL && !(await this.versions.manager.existsBy(AreaEntity, { code: areaCode }))) {
      throw AppError.validation({ areaCode: `行政区划 ${areaCode} 尚未登记` });
    }
    const written = await this.uow.transaction(async (em) => {
      await lockPolicyWrites(em);
      const last = await em.findOne(PolicyVersionEntity, { where: { areaCode }, order: { version: 'DESC' } });
      // a new version carries this area's earlier values forward, changed by the ones given
      const values = Object.fromEntries(Object.entries({ ...(last?.values ?? {}), ...input.values }).filter(([, v]) => v !== null));
      const violations = boundViolations(values, (await this.currentBounds(em)).bounds);
      if (violations.length) throw outsideBounds(violations, areaCode);
      const row = await em.save(em.create(PolicyVersionEntity, {
        areaCode,
        version: (last?.version ?? 0) + 1,
        effectiveFrom: new Date(input.effectiveFrom),
        values,
        createdById: actor.id,
        createdAt: new Date(),
      }));
      await this.recordVersion(em, row, last, actor, input.reason?.trim() ?? null);
      return { areaCode, version: row.version, effectiveFrom: row.effectiveFrom.toISOString(), values: row.values };
    });
    // this instance serves the new version from the next request on; others when the feed tells them
    this.lineages.clear();
    return written;
  }

  /** The national bounds in force (the last `bounds` entry of the ledger). */
  async currentBounds(em: EntityManager = this.uow.manager): Promise<CurrentBounds> {
    const entry = await lastBoundsEntry(em);
    if (!entry) throw new AppError(ErrorCode.INTERNAL, '全国参数边界尚未建立');
    return {
      version: entry.version,
      // a key added to POLICY_KEYS after the last change gets its default bound
      bounds: { ...defaultPolicyBounds(), ...(entry.after as Partial<PolicyBounds>) },
      changedAt: entry.at.toISOString(),
      changedBy: { id: entry.actorId, username: entry.actorUsername, role: entry.actorRole },
      reason: entry.reason,
    };
  }

  /**
   * Issue 12: a change of the national bounds. Each key's bound is merged field by field over
   * the one in force; a reason is required; no version that is or may come in force may end up
   * outside the new bounds (such areas are named: change them first).
   */
  async putBounds(input: { reason?: string; bounds: Record<string, unknown> }, actor: LedgerActor) {
    const fields: Record<string, string> = {};
    const given = Object.entries(input.bounds ?? {});
    if (!given.length) fields.bounds = '请至少给出一个参数的边界';
    for (const [key, bound] of given) {
      if (!isPolicyKey(key)) fields[`bounds.${key}`] = '未知的参数名';
      else if (bound === null || typeof bound !== 'object' || Array.isArray(bound)) fields[`bounds.${key}`] = '边界应为对象，例如 {"min": "PT1S"}';
    }
    if (Object.keys(fields).length) throw AppError.validation(fields, '参数边界不正确');
    const minLength = (await this.effective(NATIONAL)).values['reasons.minLength'];
    const reasonIssue = reasonProblem(input.reason, minLength);
    if (reasonIssue) throw new AppError(ErrorCode.REASON_REQUIRED, `修改全国参数边界必须说明理由：${reasonIssue}`, { fields: { reason: reasonIssue } });

    return this.uow.transaction(async (em) => {
      await lockPolicyWrites(em);
      const current = await this.currentBounds(em);
      const next: PolicyBounds = { ...current.bounds };
      for (const [key, bound] of given as Array<[PolicyKey, Record<string, unknown>]>) {
        const merged = { ...current.bounds[key], ...bound };
        const problem = boundShapeProblem(key, merged);
        if (problem) fields[`bounds.${key}`] = problem;
        else next[key] = merged as unknown as PolicyBound;
      }
      if (Object.keys(fields).length) throw AppError.validation(fields, '参数边界不正确');

      const conflicts = liveVersions(await em.find(PolicyVersionEntity), new Date()).flatMap((v) =>
        boundViolations(v.values, next).map((x) => ({ areaCode: v.areaCode, version: v.version, key: x.key, value: x.value, bound: x.bound, message: `${v.areaCode}#${v.version} ${x.message}` })),
      );
      if (conflicts.length) {
        throw new AppError(ErrorCode.RULE_VIOLATED, `新边界之外还有正在或将要生效的参数，请先修改这些地区的参数：${conflicts.map((c) => c.message).join('；')}`, {
          rule: 'versions_within_new_bounds',
          conflicts,
        });
      }
      const entry = await appendPolicyLedger(em, {
        kind: 'bounds',
        areaCode: NATIONAL,
        version: current.version + 1,
        policyVersionId: null,
        effectiveFrom: null,
        actor,
        reason: input.reason!.trim(),
        before: current.bounds as unknown as Record<string, unknown>,
        after: next as unknown as Record<string, unknown>,
      });
      return { version: entry.version, changed: given.map(([k]) => k), bounds: next, reason: entry.reason, changedAt: entry.at.toISOString() };
    });
  }

  /**
   * The ledger's entries, newest first. `scope` (the caller's area; null: global): only entries
   * of the national level, of the levels above that area and of the area and below (issue 19).
   */
  async ledger(query: { areaCode?: string; kind?: 'version' | 'bounds'; page: number; pageSize: number }, scope: string | null = null) {
    const qb = this.uow.manager.createQueryBuilder(PolicyLedgerEntryEntity, 'e');
    if (query.areaCode) qb.andWhere('e.areaCode = :areaCode', { areaCode: query.areaCode });
    if (query.kind) qb.andWhere('e.kind = :kind', { kind: query.kind });
    if (scope !== null) {
      qb.andWhere('(e.areaCode IN (:...above) OR e.areaCode LIKE :below)', { above: [NATIONAL, ...lineageOf(scope)], below: `${areaPrefix(scope)}%` });
    }
    const [rows, total] = await qb
      .orderBy('e.seq', 'DESC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    const items = rows.map((e) => {
      const f = hashedFieldsOf(e);
      return { ...f, hash: e.hash };
    });
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  /**
   * Recomputes the ledger's chain (SF-24), then checks that every stored policy version has
   * its entry with the same values: a version written or changed around the service breaks it.
   */
  async verifyLedger() {
    const em = this.uow.manager;
    const entries = await em.find(PolicyLedgerEntryEntity, { order: { seq: 'ASC' } });
    const check = verifyLinkedChain(entries.map((e) => ({ ...hashedFieldsOf(e), hash: e.hash })), ledgerHash);
    if (!check.valid) return { valid: false, entries: entries.length, brokenAt: check.brokenAt };
    const recorded = new Map(entries.filter((e) => e.policyVersionId).map((e) => [e.policyVersionId!, e]));
    const versions = await em.find(PolicyVersionEntity, { order: { areaCode: 'ASC', version: 'ASC' } });
    const unrecorded = versions
      .filter((v) => {
        const e = recorded.get(v.id);
        return !e || e.areaCode !== v.areaCode || e.version !== v.version || stringify(e.after) !== stringify(versionState(v));
      })
      .map((v) => ({ areaCode: v.areaCode, version: v.version }));
    if (unrecorded.length) return { valid: false, entries: entries.length, unrecordedVersions: unrecorded };
    return { valid: true, entries: entries.length };
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
