import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { GENESIS_HASH } from '../../common/audit/audit-hash';
import { addDuration } from '../../common/domain/duration';
import { POLICY_KEYS } from '../../common/policy/policy-keys';
import { CaseEntity, type TimerEntity } from '../../database/entities';
import { initialSnapshot } from '../../machines/next-snapshot';
import type { ProcedureDefinition } from '../../machines/procedure';
import { Announcer } from '../notifications/announcer';
import { NotificationEntity, WebhookDeliveryEntity } from '../notifications/notifications.entities';
import type { Outgoing } from '../notifications/outbox.service';
import { PoliciesService } from '../policies/policies.service';
import { CaseStore } from './case-store';
import { householdIdOf, householdVersionOf } from './household-version';
import type { CaseOrigin, Prefetched, ProcedureAdapter } from './procedure-adapter';
import { creationRefusal } from './requirements';

/**
 * How a case comes into being, whoever opens it (a user, a batch, an import, another case's
 * step): the adapter's checks, the definition's creation rules, the machine's initial state,
 * then the case, its CREATE entry, its timers and its notifications in one write.
 */
@Injectable()
export class CaseOpener {
  constructor(
    private readonly policies: PoliciesService,
    private readonly store: CaseStore,
    private readonly announcer: Announcer,
  ) {}

  /**
   * Opens one case in `em`'s transaction: the adapter's checks, the creation rules, then the
   * case, its CREATE entry, its timers and (with `announce`) its notifications in one write.
   */
  async open(
    em: EntityManager,
    args: {
      def: ProcedureDefinition;
      adapter: ProcedureAdapter;
      body: unknown;
      actor: AuthUser;
      now: Date;
      batchId?: string;
      origin?: CaseOrigin;
      announce?: boolean;
      /** issue 21: the case's write held for the transaction's next statement or its COMMIT (a caller that ends its transaction soon) */
      hold?: boolean;
    },
  ): Promise<{ caseRow: CaseEntity; timers: TimerEntity[]; outgoing: Outgoing; prefetched?: Prefetched }> {
    const { def, adapter, actor, now } = args;
    const prepared = await adapter.prepareCreate({ body: args.body, actor, em, batchId: args.batchId, origin: args.origin });
    assertInArea(actor, prepared.areaCode, '行政区划');
    const householdVersion =
      prepared.householdVersion !== undefined ? prepared.householdVersion : await householdVersionOf(em, householdIdOf(args.def.subjectType, prepared.subjectId, prepared.input));
    const policy = await this.policies.effective(prepared.areaCode, now);
    const refusal = creationRefusal(def, { input: prepared.input, facts: prepared.facts ?? {}, policy: policy.values, now: now.toISOString() });
    if (refusal) throw refusal;
    const snapshot = initialSnapshot(def.machine, prepared.input);
    const state = String(snapshot.value);
    const context = snapshot.context as Record<string, any>;
    const id = randomUUID();
    const entry = this.store.auditEntry(id, {
      seq: 1,
      prevHash: GENESIS_HASH,
      event: 'CREATE',
      fromState: null,
      toState: state,
      actor,
      at: now,
      reason: null,
      data: prepared.auditData,
      evidence: [],
      policyVersion: policy.version,
      householdVersion,
    });
    const row = Object.assign(new CaseEntity(), {
      id,
      procedure: def.id,
      machineId: def.machine.id,
      machineVersion: def.version,
      version: 1,
      state,
      snapshot: { value: snapshot.value, context },
      areaCode: prepared.areaCode,
      subjectType: def.subjectType,
      subjectId: prepared.subjectId,
      batchId: prepared.batchId ?? null,
      policyVersionIds: policy.ids,
      policyVersion: policy.version,
      auditHead: entry.hash,
      createdById: actor.id,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      deadlineAt: prepared.deadlineAt ?? (adapter.deadlineKey ? addDuration(now, policy.values[adapter.deadlineKey] as string) : null),
      noticeStartsAt: null,
      noticeEndsAt: null,
    });
    const nearBefore = (policy.values['notifications.deadlineNearBefore'] ?? POLICY_KEYS['notifications.deadlineNearBefore'].default) as string;
    const timers = this.store.initialTimers(row, context.timers ?? [], { nearBefore }, now);
    const notice = args.announce ? await this.announcer.prepare(em, { def, caseRow: row, state, actor, now }) : null;
    // held only where nothing of the adapter's runs after it: a failure of the held write
    // surfaces with the statement that carries it, and must not be taken for that one's
    const hold = args.hold === true && !adapter.afterCreate;
    await this.store.insert(em, row, entry, timers, notice ? [
      { target: NotificationEntity, rows: notice.notifications },
      { target: WebhookDeliveryEntity, rows: notice.deliveries },
    ] : [], { defer: hold });
    await adapter.afterCreate?.({ em, caseRow: row, context });
    return { caseRow: row, timers, outgoing: notice?.outgoing ?? [], prefetched: prepared.prefetched };
  }
}
