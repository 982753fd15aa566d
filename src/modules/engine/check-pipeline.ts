import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { textRuleFor } from '../../common/domain/reason';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { AuditEntryEntity, type CaseEntity, type EvidenceEntity } from '../../database/entities';
import { failingRules, type ProcedureDefinition, type ProcedureEvent, type RuleSet } from '../../machines/procedure';
import { type EffectivePolicy, PoliciesService } from '../policies/policies.service';
import { type Branch, branchesFor, eventsOf, stateMeta } from './introspection';
import { type Prefetched, ProcedureRegistry } from './procedure-adapter';
import {
  checkData,
  checkEvidence,
  checkOpinion,
  checkReason,
  checkRole,
  checkRules,
  checkSeparation,
  missingEvidence,
  requiredFields,
  selectBranch,
} from './requirements';

/** The steps a user has taken on a case: what segregation of duties judges. */
export type ActorHistory = Array<{ actorId: string; fromState: string | null; toState: string }>;

/** What the checks read about a case and its caller, loaded once per request. */
export interface CaseFacts {
  caseRow: CaseEntity;
  def: ProcedureDefinition;
  actor: AuthUser;
  policy: EffectivePolicy;
  facts: Record<string, unknown>;
  /** the caller's earlier steps on this case; null when no review step is in play (not read) */
  history: ActorHistory | null;
}

export interface AvailableAction {
  event: string;
  title: string;
  titleEn: string;
  allowed: boolean;
  missing: { evidence: string[]; oneOf: string[][]; fields: string[] };
  reasonRequired: boolean;
  blockedBy: string | null;
  rules?: string[];
}

export interface Judged {
  branch: Branch;
  event: ProcedureEvent;
}

/**
 * The one ordered list of checks a step passes, as the contract gives it:
 *
 *   1. the event is defined in the case's state   INVALID_TRANSITION (409)
 *   2. the caller's role                          ROLE_REQUIRED (403)
 *   3. segregation of duties (SF-25)              SEPARATION_OF_DUTIES (403)
 *   4. the event's data                           VALIDATION_FAILED (400)
 *   5. the evidence referenced is the case's      EVIDENCE_INVALID (422)
 *   6. the evidence required is there             EVIDENCE_MISSING (422)
 *   7. the reason                                 REASON_REQUIRED (422)
 *   8. the machine's rules                        RULE_VIOLATED (422)
 *
 * `judge` runs them all for an event and throws the first failure; `preview` runs the same
 * list, in the same order, for every event the caller could send now, without the data a
 * request would carry (4, 5 and 7 and the rules that read the event's data wait for it), and
 * reports the first failure as `blockedBy`.
 */
@Injectable()
export class CheckPipeline {
  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
  ) {}

  /**
   * Loads what the checks read, through `em` (the request's transaction when there is one).
   * `states` are the states whose events will be judged: the caller's history is read only
   * if one of their events is a review step.
   */
  async load(em: EntityManager, caseRow: CaseEntity, actor: AuthUser, states: string[] = [caseRow.state], prefetched?: Prefetched): Promise<CaseFacts> {
    const def = this.registry.definition(caseRow.procedure, caseRow.machineVersion);
    const adapter = this.registry.adapter(caseRow.procedure);
    const policy = await this.policies.forCase(caseRow.areaCode, caseRow.policyVersionIds);
    const facts = adapter.facts ? await adapter.facts({ caseRow, type: '', em, prefetched }) : {};
    const history = states.some((s) => hasReview(def, s)) ? await this.history(em, caseRow.id, actor.id) : null;
    return { caseRow, def, actor, policy, facts, history };
  }

  /**
   * The facts after a step, for the response: the caller's history gains the entry just
   * written (no read-back); the procedure's facts are read again, since its effects may have
   * changed them.
   */
  async after(em: EntityManager, k: CaseFacts, stored: CaseEntity, entry: AuditEntryEntity): Promise<CaseFacts> {
    const adapter = this.registry.adapter(stored.procedure);
    const facts = adapter.facts ? await adapter.facts({ caseRow: stored, type: '', em }) : k.facts;
    let history = k.history;
    if (history) history = entry.actorId === k.actor.id ? [...history, entry] : history;
    else if (hasReview(k.def, stored.state)) history = await this.history(em, stored.id, k.actor.id);
    return { ...k, caseRow: stored, facts, history };
  }

  private history(em: EntityManager, caseId: string, actorId: string): Promise<ActorHistory> {
    return em.find(AuditEntryEntity, { where: { caseId, actorId }, select: { actorId: true, fromState: true, toState: true } });
  }

  /** Every check for one event, in order; throws the first failure. */
  async judge<E extends EvidenceEntity>(
    k: CaseFacts,
    req: { type: string; data: Record<string, unknown>; reason?: string | null },
    resolveEvidence: () => Promise<E[]>,
  ): Promise<Judged & { evidence: E[] }> {
    const { caseRow, def, actor } = k;
    const branches = branchesFor(def.machine, caseRow.state, req.type);
    if (!branches.length) {
      throw new AppError(ErrorCode.INVALID_TRANSITION, `案件当前处于“${stateMeta(def.machine, caseRow.state).title}”环节，不能执行 ${req.type}`, {
        state: caseRow.state,
        event: req.type,
      });
    }
    const meta = branches[0].meta;
    throwIf(checkRole(meta, actor.role));
    throwIf(checkSeparation(meta, actor, caseRow.state, k.history ?? []));
    throwIf(checkData(meta, req.data));
    const evidence = await resolveEvidence();
    const event = this.event(k, req.type, req.data, req.reason ?? null, evidence);
    const context = caseRow.snapshot.context;
    const branch = selectBranch(def.rules, branches, { context, event });
    if (!branch) throw AppError.validation({ data: '数据与该操作的任何分支都不匹配' });
    throwIf(checkEvidence(branch.meta, evidence.map((e) => e.type)));
    throwIf(checkReason(branch.meta, req.reason, textRuleFor(k.policy.values, 'reason')));
    throwIf(checkOpinion(req.data, textRuleFor(k.policy.values, 'opinion')));
    throwIf(checkRules(def.rules, branch, { context, event }));
    return { branch, event, evidence };
  }

  /**
   * What the caller may send now, judged by the same checks in the same order. `usable` gives,
   * for an event, the types of the files of the case (or its batch) that may serve it
   * (evidence-use.ts, the rule the engine applies).
   */
  preview(k: CaseFacts, usable: (event: string) => string[]): AvailableAction[] {
    const { caseRow, def, actor } = k;
    const rules = def.rules as RuleSet<Record<string, unknown>>;
    const context = caseRow.snapshot.context;
    const event = (type: string) => this.event(k, type, {}, null, []);
    const dataFree = (names: string[] | undefined) => (names ?? []).filter((r) => !rules[r].usesEventData);
    return eventsOf(def.machine, caseRow.state)
      .filter((e) => !checkRole(e.branches[0].meta, actor.role))
      .map(({ type, branches }) => {
        const meta = branches[0].meta;
        const missing = missingEvidence(meta.evidence, usable(type));
        // an event is open if any branch's data-free rules hold
        const failing = branches.map((b) => failingRules(rules, dataFree(b.params.rules), { context, event: event(type) }));
        const open = failing.some((f) => f.length === 0);
        const blockedBy = checkSeparation(meta, actor, caseRow.state, k.history ?? [])
          ? ErrorCode.SEPARATION_OF_DUTIES
          : missing.allOf.length || missing.oneOf.length
            ? ErrorCode.EVIDENCE_MISSING
            : !open
              ? ErrorCode.RULE_VIOLATED
              : null;
        return {
          event: type,
          title: meta.title,
          titleEn: meta.titleEn,
          allowed: blockedBy === null,
          missing: { evidence: missing.allOf, oneOf: missing.oneOf, fields: requiredFields(meta) },
          reasonRequired: branches.some((b) => b.meta.reasonRequired === true),
          blockedBy,
          rules: !open ? [...new Set(failing.flat())] : undefined,
        };
      });
  }

  private event(
    k: CaseFacts,
    type: string,
    data: Record<string, unknown>,
    reason: string | null,
    evidence: Array<EvidenceEntity & { uploader?: { role: string | null; sector: string | null } }>,
  ): ProcedureEvent {
    return {
      type,
      data,
      reason,
      evidence: evidence.map((e) => ({ id: e.id, type: e.type, uploader: e.uploader })),
      actor: { id: k.actor.id, role: k.actor.role, sector: k.actor.sector },
      env: { now: new Date().toISOString(), policy: k.policy.values, facts: k.facts },
    };
  }
}

function throwIf(err: AppError | null): void {
  if (err) throw err;
}

/** Whether a state has a review step (segregation of duties reads the caller's history). */
function hasReview(def: ProcedureDefinition, state: string): boolean {
  return eventsOf(def.machine, state).some((e) => e.branches.some((b) => b.meta.review));
}
