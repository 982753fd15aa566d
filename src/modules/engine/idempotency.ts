import { Injectable } from '@nestjs/common';
import { canonicalJson as stringify } from '../../common/audit/canonical-json';
import { sha256Hex } from '../../common/audit/audit-hash';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/unit-of-work';
import { IdempotencyRecordEntity } from '../../database/entities';
import type { CaseView } from './case-view.service';

/**
 * Idempotency-Key handling of event requests: the first response is stored with the request's
 * hash in the transition's transaction; the same key and request answer it again, the same key
 * with another request is refused.
 */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly uow: UnitOfWork) {}

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
