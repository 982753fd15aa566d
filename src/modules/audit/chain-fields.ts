import type { HashedAuditFields } from '../../common/audit/audit-hash';
import type { AuditEntryEntity } from '../../database/entities';

/** A stored audit entry as its hash covers it (SF-24): what `GET /cases/{id}/verify` and checkpoints recompute. */
export const auditEntryFields = (e: AuditEntryEntity): HashedAuditFields & { hash: string } => ({
  caseId: e.caseId,
  seq: e.seq,
  prevHash: e.prevHash,
  event: e.event,
  fromState: e.fromState,
  toState: e.toState,
  actor: { id: e.actorId, username: e.actorUsername, role: e.actorRole },
  at: e.at.toISOString(),
  reason: e.reason,
  data: e.data,
  evidence: e.evidence,
  policyVersion: e.policyVersion,
  ...(e.householdVersion === null || e.householdVersion === undefined ? {} : { householdVersion: e.householdVersion }),
  hash: e.hash,
});
