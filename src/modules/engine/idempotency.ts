import { Injectable } from '@nestjs/common';
import { canonicalJson as stringify } from '../../common/audit/canonical-json';
import { sha256Hex } from '../../common/audit/audit-hash';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/unit-of-work';
import { IdempotencyRecordEntity } from '../../database/entities';
import type { CaseView } from './case-view.service';

/** the longest key stored (idempotency_records.key) */
const KEY_LENGTH = 100;

/**
 * Idempotency-Key handling of event requests: the first response is stored with the request's
 * hash in the transition's transaction; the same key and request answer it again, the same key
 * with another request is refused.
 */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * The key a batch's step of one case is stored under: the client's key and the case. A key of
   * the client's may have 100 characters, as many as the column holds, so a key too long to carry
   * the case's id is replaced by its hash, marked with `#` (no client's key has one); keys short
   * enough stay as they always were, so a retry of a batch sent before finds its answers.
   */
  static batchKey(key: string, caseId: string): string {
    const plain = `${key}:${caseId}`;
    return plain.length <= KEY_LENGTH ? plain : `#${sha256Hex(key).slice(0, KEY_LENGTH - caseId.length - 2)}:${caseId}`;
  }

  /** The hash a replay must match: the request as the client sent it. */
  static hash(request: Record<string, unknown>): string {
    return sha256Hex(stringify(request) ?? '');
  }

  /** The stored response of this request, or null; `known` is a record the caller already read. */
  async replay(userId: string, key: string, requestHash: string, known?: IdempotencyRecordEntity): Promise<CaseView | null> {
    const rec = known ?? (await this.uow.manager.findOneBy(IdempotencyRecordEntity, { userId, key }));
    if (!rec) return null;
    if (rec.requestHash !== requestHash) {
      throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, '该幂等键已用于另一个请求，请为新的操作生成新的 Idempotency-Key');
    }
    return rec.response as unknown as CaseView;
  }

  /** The record to write in the step's transaction, with its last statement. */
  record(args: { userId: string; key: string; requestHash: string; caseId: string; response: CaseView }): IdempotencyRecordEntity {
    return Object.assign(new IdempotencyRecordEntity(), {
      userId: args.userId,
      key: args.key,
      requestHash: args.requestHash,
      caseId: args.caseId,
      response: args.response as unknown as Record<string, any>,
      createdAt: new Date(),
    });
  }
}
