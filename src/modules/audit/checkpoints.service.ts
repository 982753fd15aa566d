import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { calendarDate, localDateTime } from '../../common/domain/calendar';
import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { verifyChain } from '../../common/audit/audit-hash';
import { type ChainHead, checkpointRoot } from '../../common/audit/merkle';
import type { AuthUser } from '../../common/auth/auth-user';
import { isWithin } from '../../common/domain/area';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { AppError } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { UnitOfWork } from '../../database/unit-of-work';
import { AuditEntryEntity, CaseEntity } from '../../database/entities';
import { JobQueue } from '../jobs/job-queue';
import { dueToday, scheduleDaily } from '../jobs/daily-job';
import { CHECKPOINT_QUEUE, type CheckpointJob } from '../jobs/queue-names';
import { JobRunEntity } from '../notifications/notifications.entities';
import { type Outgoing, OutboxService } from '../notifications/outbox.service';
import { AuditCheckpointEntity, AuditCheckpointLeafEntity, RecordLedgerEntity, RecordLedgerHeadEntity } from './audit.entities';
import { auditEntryFields } from './chain-fields';
import { checkLedgerChain, findUnrecorded } from './ledger-verifier';
import type { LedgerKind } from './record-ledger';

const KIND_TITLES: Record<string, string> = { measures: '帮扶措施', income: '收入记录', attendance: '岗位考勤', evidence: '证明材料', users: '用户账号' };

const JOB = 'audit-checkpoint';
const CASE = 'case:';
const CHUNK = 200;
const chunks = <T>(xs: T[], n = CHUNK): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const checkpointView = (c: AuditCheckpointEntity) => ({
  id: c.id,
  takenAt: c.takenAt.toISOString(),
  trigger: c.trigger,
  takenBy: c.takenById,
  root: c.root,
  chains: c.chains,
  caseChains: c.caseChains,
  ledgerChains: c.ledgerChains,
});

export interface ChainChange {
  chain: string;
  seq: number;
  /** rewritten: the chain verifies but its entry at `seq` is not the one checkpointed; broken: it no longer verifies up to `seq`; missing: it is gone */
  problem: 'rewritten' | 'broken' | 'missing';
}

/**
 * Issue 12: a checkpoint is one hash — the RFC 6962 Merkle root — over the head of every chain
 * (each case's audit chain, each record-ledger chain) at a moment, stored append-only and sent
 * to the webhooks, daily and on an admin's demand. Its verification recomputes every chain up
 * to the length it had then: a chain rewritten whole, however consistently, gives another head,
 * so the root differs from the stored one — and from every copy held outside.
 */
@Injectable()
export class CheckpointsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CheckpointsService.name);
  private tick: { stop(): void } | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly queue: JobQueue,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.tick = scheduleDaily<CheckpointJob>({
      queue: this.queue,
      name: CHECKPOINT_QUEUE,
      data: { kind: JOB },
      at: this.config.checkpoints,
      everyMs: this.config.timers.reconcileIntervalMs,
      run: () => this.daily(),
      catchUp: () => this.catchUp(),
      logger: this.logger,
      what: 'audit checkpoint',
    });
  }

  onModuleDestroy(): void {
    this.tick?.stop();
  }

  private periodOf(now: Date): string {
    return calendarDate(now);
  }

  /** Today's checkpoint if its time has passed and none was taken (no instance ran at that moment). */
  async catchUp(now = new Date()): Promise<boolean> {
    if (!(await dueToday(this.uow.manager, JOB, this.config.checkpoints, now))) return false;
    return (await this.daily(now)) !== null;
  }

  /** The day's checkpoint, once across instances (a `job_runs` row in the same transaction). */
  async daily(now = new Date()): Promise<AuditCheckpointEntity | null> {
    try {
      return await this.take('daily', null, now, this.periodOf(now));
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  /**
   * Reads every chain head, stores the root and its leaves, and queues it for the webhooks.
   * Issue 19: it also counts the rows of the chained tables that no ledger entry records (a row
   * inserted behind the service is in no chain, so no root can cover it): the counts go with the
   * checkpoint's message and webhook, the day's job record and the log.
   */
  async take(trigger: 'daily' | 'manual', actor: AuthUser | null, now = new Date(), period: string | null = null): Promise<AuditCheckpointEntity & { unrecorded: Partial<Record<LedgerKind, number>> }> {
    let outgoing: Outgoing = [];
    // counted just before, outside the checkpoint's transaction: a full scan of each chained table
    // (an anti-join on the ledger's index) should not hold the embedded default's one writer
    const unrecorded: Partial<Record<LedgerKind, number>> = (await findUnrecorded(this.uow.manager, { like: null }, 0)).counts;
    const checkpoint = await this.uow.transaction(async (em) => {
      if (period) await em.insert(JobRunEntity, { name: JOB, period, ranAt: now, result: {} });
      const cases = await em.find(CaseEntity, { select: { id: true, version: true, auditHead: true } });
      const ledger = await em.find(RecordLedgerHeadEntity, { select: { chain: true, seq: true, hash: true } });
      const heads: ChainHead[] = [
        ...cases.map((c) => ({ chain: `${CASE}${c.id}`, seq: c.version, hash: c.auditHead })),
        ...ledger.filter((h) => h.seq > 0).map((h) => ({ chain: h.chain, seq: h.seq, hash: h.hash })),
      ];
      const row = Object.assign(new AuditCheckpointEntity(), {
        id: randomUUID(),
        takenAt: now,
        trigger,
        takenById: actor?.id ?? null,
        root: checkpointRoot(heads),
        chains: heads.length,
        caseChains: cases.length,
        ledgerChains: heads.length - cases.length,
      });
      await em.insert(AuditCheckpointEntity, row);
      const unrecordedTotal = Object.values(unrecorded).reduce((a, b) => a + (b ?? 0), 0);
      const unrecordedText = unrecordedTotal
        ? `；另发现 ${unrecordedTotal} 条业务记录没有台账记录（未经系统直接写入数据库：${Object.entries(unrecorded).filter(([, n]) => n).map(([k, n]) => `${KIND_TITLES[k] ?? k} ${n} 条`).join('、')}），请用 GET /audit/ledger/verify 查看并核查`
        : '';
      for (const part of chunks(heads, 500)) {
        await em.insert(AuditCheckpointLeafEntity, part.map((h) => ({ checkpointId: row.id, chain: h.chain, seq: h.seq, hash: h.hash })));
      }
      if (period) await em.update(JobRunEntity, { name: JOB, period }, { result: { checkpointId: row.id, root: row.root, unrecorded } });
      outgoing = await this.outbox.publish(
        em,
        {
          kind: 'audit_checkpoint',
          title: `审计检查点：${row.chains} 条哈希链`,
          message: `${localDateTime(now)} 的审计检查点，覆盖 ${row.caseChains} 个案件审计链和 ${row.ledgerChains} 条业务记录链；请在系统之外保存根哈希，日后可用 GET /audit/checkpoints/${row.id}/verify 核对${unrecordedText}。`,
          areaCode: '000000000000',
          everyArea: true,
          data: { ...checkpointView(row), unrecorded },
        },
        { userIds: [] },
        now,
      );
      return row;
    });
    this.outbox.send(outgoing);
    this.logger.log({ id: checkpoint.id, root: checkpoint.root, chains: checkpoint.chains, trigger }, 'audit checkpoint taken');
    if (Object.values(unrecorded).some((n) => n)) this.logger.warn({ id: checkpoint.id, unrecorded }, 'rows of chained tables with no record-ledger entry (inserted behind the service)');
    return Object.assign(checkpoint, { unrecorded });
  }

  async list(page: number, pageSize: number) {
    const [rows, total] = await this.uow.manager.findAndCount(AuditCheckpointEntity, {
      order: { takenAt: 'DESC', id: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items: rows.map(checkpointView), total, page, pageSize };
  }

  async get(id: string): Promise<AuditCheckpointEntity> {
    const row = UUID.test(id) ? await this.uow.manager.findOneBy(AuditCheckpointEntity, { id }) : null;
    if (!row) throw AppError.notFound('审计检查点');
    return row;
  }

  /**
   * Recomputes the root from the chains as they are now, each up to the length it had at the
   * checkpoint. Changed chains are named when they are in the caller's area, counted otherwise.
   * `expectedRoot`: a copy kept outside (a webhook's), compared as well.
   */
  async verify(id: string, user: AuthUser, expectedRoot?: string) {
    const cp = await this.get(id);
    const em = this.uow.manager;
    const leaves = await em.find(AuditCheckpointLeafEntity, { where: { checkpointId: cp.id } });
    const recomputed: ChainHead[] = [];
    const changes: Array<ChainChange & { areaCode: string | null }> = [];
    const caseLeaves = leaves.filter((l) => l.chain.startsWith(CASE));
    const ledgerLeaves = leaves.filter((l) => !l.chain.startsWith(CASE));
    for (const part of chunks(caseLeaves)) {
      const ids = part.map((l) => l.chain.slice(CASE.length));
      const areas = new Map((await em.find(CaseEntity, { where: { id: In(ids) }, select: { id: true, areaCode: true } })).map((c) => [c.id, c.areaCode]));
      const entries = await em.find(AuditEntryEntity, { where: { caseId: In(ids) }, order: { caseId: 'ASC', seq: 'ASC' } });
      for (const leaf of part) {
        const caseId = leaf.chain.slice(CASE.length);
        const chain = entries.filter((e) => e.caseId === caseId && e.seq <= leaf.seq);
        const head = !chain.length ? null : chain.length === leaf.seq ? caseChainHead(chain) : { valid: false, hash: '' };
        recomputed.push(this.judge(leaf, head, changes, areas.get(caseId) ?? null));
      }
    }
    for (const part of chunks(ledgerLeaves)) {
      const entries = await em.find(RecordLedgerEntity, { where: { chain: In(part.map((l) => l.chain)) }, order: { chain: 'ASC', seq: 'ASC' } });
      for (const leaf of part) {
        const chain = entries.filter((e) => e.chain === leaf.chain);
        const check = checkLedgerChain(chain, leaf.seq);
        const head = !chain.length ? null : check.valid && check.last?.seq === leaf.seq ? { valid: true, hash: check.last.hash } : { valid: false, hash: '' };
        recomputed.push(this.judge(leaf, head, changes, chain[chain.length - 1]?.areaCode ?? null));
      }
    }
    const recomputedRoot = checkpointRoot(recomputed);
    const leavesRoot = checkpointRoot(leaves.map((l) => ({ chain: l.chain, seq: l.seq, hash: l.hash })));
    const visible = changes.filter((c) => c.areaCode === null ? user.areaCode === null : isWithin(c.areaCode, user.areaCode));
    const matchesExpected = expectedRoot === undefined ? undefined : expectedRoot.toLowerCase() === recomputedRoot;
    return {
      ...checkpointView(cp),
      valid: recomputedRoot === cp.root && leavesRoot === cp.root && leaves.length === cp.chains && matchesExpected !== false,
      recomputedRoot,
      ...(matchesExpected === undefined ? {} : { expectedRoot: expectedRoot!.toLowerCase(), matchesExpected }),
      // the stored leaves still give the stored root (else the checkpoint row itself was rewritten)
      leavesMatchRoot: leavesRoot === cp.root && leaves.length === cp.chains,
      changedChains: visible.map(({ areaCode: _a, ...c }) => c),
      changedElsewhere: changes.length - visible.length,
    };
  }

  /** The head a leaf has now; a chain that no longer verifies or is gone is recorded as changed. */
  private judge(leaf: AuditCheckpointLeafEntity, now: { valid: boolean; hash: string } | null, changes: Array<ChainChange & { areaCode: string | null }>, areaCode: string | null): ChainHead {
    if (!now) changes.push({ chain: leaf.chain, seq: leaf.seq, problem: 'missing', areaCode });
    else if (!now.valid) changes.push({ chain: leaf.chain, seq: leaf.seq, problem: 'broken', areaCode });
    else if (now.hash !== leaf.hash) changes.push({ chain: leaf.chain, seq: leaf.seq, problem: 'rewritten', areaCode });
    return { chain: leaf.chain, seq: leaf.seq, hash: now?.valid ? now.hash : '' };
  }
}

/** A case's audit chain up to some length: valid, and the hash it ends at. */
function caseChainHead(entries: AuditEntryEntity[]): { valid: boolean; hash: string } {
  const check = verifyChain(entries.map(auditEntryFields));
  return check.valid ? { valid: true, hash: entries[entries.length - 1].hash } : { valid: false, hash: '' };
}
