import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { UserRole } from '../../common/domain/enums';
import type { PolicyKey } from '../../common/policy/policy-keys';
import { AppError } from '../../common/errors/app-error';
import type { CaseEntity } from '../../database/entities';
import type { IncomeFacts } from '../../machines/income';
import type { ActorRef, ProcedureDefinition, ProcedureEvent } from '../../machines/procedure';

export interface PreparedCase {
  areaCode: string;
  subjectId: string;
  batchId?: string | null;
  /** the machine's input */
  input: Record<string, unknown>;
  /** what goes into the first audit entry */
  auditData: Record<string, unknown>;
  /** what the definition's creation rules read about the subject, loaded while preparing */
  facts?: Record<string, unknown>;
  /** the case's own deadline (a rectification item's 完成时限); else the adapter's deadlineKey from creation */
  deadlineAt?: Date | null;
  /**
   * issue 21: the household's version, share-locked as householdVersionOf does, when the adapter
   * read it in its own round trip (else the opener reads it)
   */
  householdVersion?: number | null;
  /** issue 21: what the new case's view will need (its facts), read in the adapter's round trip */
  prefetched?: Prefetched;
}

/** The step of another case that opened a case (e.g. a follow-up visit that found a returned risk, SF-10). */
export interface CaseOrigin {
  procedure: string;
  caseId: string;
  event: string;
}

export interface TransitionEffect {
  em: EntityManager;
  caseRow: CaseEntity;
  fromState: string;
  toState: string;
  context: Record<string, any>;
  event: ProcedureEvent;
  actor: ActorRef;
  /**
   * Opens a case of a procedure in this step's transaction, through the engine's one creation
   * path (creator roles, the adapter's checks, area, audit, deadline, notifications), by the
   * step's actor; `origin` reaches the adapter apart from the body, so no client can claim it.
   */
  open(args: { procedure: string; body: unknown; origin: CaseOrigin }): Promise<CaseEntity>;
}

/**
 * What a procedure module gives the engine: its machine versions and the I/O the pure
 * machine cannot do. Business rules stay in the machine; effects here only mirror a
 * transition into the procedure's own tables, in the engine's transaction.
 */
export interface ProcedureAdapter {
  /** every version still running, newest last; new cases start on the newest */
  definitions: ProcedureDefinition[];
  creatorRoles: UserRole[];
  /** policy key of the case's total deadline, counted from creation (SF-04) */
  deadlineKey?: PolicyKey;
  /**
   * Validates the creation payload (400/404) and checks the caller may open it; loads the facts
   * the definition's creation rules read (the engine judges them, not the adapter).
   * `batchId`: the batch the engine's caller formed (a village list); never taken from the
   * client's body, so no case can join a batch — and its meeting's evidence — from outside.
   */
  prepareCreate(args: { body: unknown; actor: AuthUser; em: EntityManager; batchId?: string; origin?: CaseOrigin }): Promise<PreparedCase>;
  /**
   * facts the machine's rules read, loaded before each event. `prefetched`: what the engine read
   * with the case, in its round trip (issue 21) — see {@link readsRegistryOn}.
   */
  facts?(args: { caseRow: CaseEntity; type: string; em: EntityManager; prefetched?: Prefetched }): Promise<Record<string, unknown>>;
  /**
   * Events whose facts read the case's household registry (SF-05: members and version). For
   * these the engine reads the registry together with the case, in one round trip, and hands it
   * to `facts` as `prefetched.registry` (issue 21); `facts` uses it only if it is the household's.
   */
  readsRegistryOn?: string[];
  /**
   * Events whose effects append to the case's household's income chain (SF-09: a verification's
   * income record). For these the engine locks that chain's head with the case, in its first
   * round trip (issue 21), and the effect's append takes the head it locked.
   */
  appendsIncomeOn?: string[];
  afterTransition?(effect: TransitionEffect): Promise<void>;
  /** mirrors a new case into the procedure's own tables, in the creating transaction */
  afterCreate?(args: { em: EntityManager; caseRow: CaseEntity; context: Record<string, any> }): Promise<void>;
  /** a masked one-line summary for the public notice board (SF-22) */
  noticeSummary?(args: { caseRow: CaseEntity; context: Record<string, any>; em: EntityManager }): Promise<string>;
}

/** What the engine read with a case for its checks (issue 21). */
export interface Prefetched {
  registry?: Required<IncomeFacts>['registry'];
}

@Injectable()
export class ProcedureRegistry {
  private readonly adapters = new Map<string, ProcedureAdapter>();
  private readonly registryEvents = new Set<string>();
  /** event → the procedures whose effects of it append to the household's income chain */
  private readonly incomeEvents = new Map<string, string[]>();

  register(adapter: ProcedureAdapter): void {
    const id = adapter.definitions[0].id;
    this.adapters.set(id, adapter);
    for (const e of adapter.readsRegistryOn ?? []) this.registryEvents.add(e);
    for (const e of adapter.appendsIncomeOn ?? []) this.incomeEvents.set(e, [...(this.incomeEvents.get(e) ?? []), id]);
  }

  /** The procedures whose `event` appends to the household's income chain (see appendsIncomeOn); none: []. */
  appendsIncome(event: string): string[] {
    return this.incomeEvents.get(event) ?? [];
  }

  /** Whether some procedure's facts read the household registry for this event (see readsRegistryOn). */
  readsRegistry(event: string): boolean {
    return this.registryEvents.has(event);
  }

  list(): ProcedureAdapter[] {
    return [...this.adapters.values()];
  }

  adapter(procedure: string): ProcedureAdapter {
    const a = this.adapters.get(procedure);
    if (!a) throw AppError.notFound('审批事项');
    return a;
  }

  current(procedure: string): ProcedureDefinition {
    const defs = this.adapter(procedure).definitions;
    return defs[defs.length - 1];
  }

  /** The machine a case started on (a case keeps running on its version). */
  definition(procedure: string, version: number): ProcedureDefinition {
    const def = this.adapter(procedure).definitions.find((d) => d.version === version);
    if (!def) throw new Error(`machine ${procedure} v${version} is not registered`);
    return def;
  }
}
