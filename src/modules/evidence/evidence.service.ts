import { uploadedFileName } from '../../common/http/file-name';
import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../../database/unit-of-work';
import { Inject, Injectable } from '@nestjs/common';
import { Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { areaLike, assertInArea } from '../../common/auth/scope';
import { sha256Hex } from '../../common/audit/audit-hash';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { EVIDENCE_TYPES, ids } from '../../common/domain/enums';
import { AppError } from '../../common/errors/app-error';
import { detectFileKind } from '../../common/evidence/file-kind';
import { CaseEntity, EvidenceEntity } from '../../database/entities';
import { EngineService } from '../engine/engine.service';
import { evidenceView, type EvidenceView } from '../engine/case-view.service';
import { EvidenceStore } from './evidence-store';
import { appendLedger, ledgerRecord, lockLedgerHeads, type LockedHeads } from '../audit/record-ledger';
import { readCase, visibleCase } from '../engine/case-read';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class EvidenceService {
  private readonly store: EvidenceStore;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly engine: EngineService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.store = new EvidenceStore(config.evidence.dir);
  }

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get evidence(): Repository<EvidenceEntity> {
    return this.uow.manager.getRepository(EvidenceEntity);
  }

  async upload(
    file: { buffer: Buffer; originalname: string; size: number } | undefined,
    input: { type?: string; caseId?: string; batchId?: string },
    user: AuthUser,
  ): Promise<EvidenceView> {
    const fields: Record<string, string> = {};
    if (!file) fields.file = '请选择要上传的文件';
    if (!input.type || !ids(EVIDENCE_TYPES).includes(input.type as never)) fields.type = '未知的材料类型，见 GET /evidence/types';
    if (input.caseId && !UUID.test(input.caseId)) fields.caseId = '应为案件编号（UUID）';
    if (input.batchId && !UUID.test(input.batchId)) fields.batchId = '应为批次编号（UUID）';
    if (Object.keys(fields).length) throw AppError.validation(fields, '上传的材料不完整');
    if (['admin', 'supervisor'].includes(user.role)) throw AppError.forbidden('系统管理员和监督人员不能上传案件材料');

    const kind = detectFileKind(file!.buffer);
    if (!kind) {
      throw AppError.validation({ file: '只接受 PDF、JPEG、PNG 和 Office 文档（按文件内容识别，不看扩展名）' }, '文件类型不被接受');
    }
    const fileName = uploadedFileName(file!.originalname, `upload.${kind.extension}`);
    const sha256 = sha256Hex(file!.buffer);
    // the file is written to the content-addressed store while the caller's right to upload it
    // there is checked (not inside the transaction: no connection, lock or — on SQLite — the
    // whole database waits on the disk); a refused upload leaves at most an unreferenced file,
    // as a crash between the two would
    const stored = this.store.put(sha256, file!.buffer);
    stored.catch(() => undefined);
    // issue 12: the row and its ledger entry (the chain of the upload's case, batch or area),
    // together or not at all, once the file is stored
    const row = await this.uow.transaction(async (em) => {
      let caseRow: CaseEntity | null = null;
      let heads: LockedHeads | undefined;
      if (input.caseId) {
        // issue 21: the case and its evidence chain's head (locked: uploads to one case queue,
        // uploads to different cases never meet) in one round trip
        const [found, locked] = await this.uow.together(() =>
          Promise.all([readCase(em, input.caseId!), lockLedgerHeads(em, [{ kind: 'evidence', subjectId: input.caseId!, areaCode: user.areaCode }])]),
        );
        caseRow = visibleCase(found, user);
        heads = locked;
        if (caseRow.closedAt) throw AppError.validation({ caseId: '案件已办结，不能再上传材料' });
      } else if (input.batchId) {
        // batch evidence (e.g. the village meeting of an elimination list) needs a batch the caller can see
        const like = areaLike(user);
        const qb = em.createQueryBuilder(CaseEntity, 'c').where('c.batchId = :b', { b: input.batchId });
        if (like) qb.andWhere('c.areaCode LIKE :like', { like });
        if (!(await qb.getExists())) throw AppError.notFound('批次');
      }
      await stored;
      const created = em.getRepository(EvidenceEntity).create({
        id: randomUUID(),
        type: input.type!,
        sha256,
        size: file!.size,
        mimeType: kind.mimeType,
        fileName,
        uploadedById: user.id,
        areaCode: caseRow?.areaCode ?? user.areaCode,
        uploadedAt: new Date(),
        caseId: caseRow?.id ?? null,
        batchId: caseRow ? caseRow.batchId : (input.batchId ?? null),
        usedInSeq: null,
        usedFor: null,
      });
      // a loose upload enters its area's chain
      const subjectId = created.caseId ?? created.batchId ?? created.areaCode ?? 'global';
      await appendLedger(
        em,
        { kind: 'evidence', subjectId, areaCode: created.areaCode, recordId: created.id, op: 'create', record: ledgerRecord.evidence(created), actorId: user.id, at: created.uploadedAt },
        { with: [{ target: EvidenceEntity, rows: [created] }], heads },
      );
      return created;
    });
    return evidenceView(row);
  }

  /** Visible when attached to a case in the caller's area, or a loose upload from within it. */
  async get(id: string, user: AuthUser): Promise<EvidenceEntity> {
    const row = UUID.test(id) ? await this.evidence.findOneBy({ id }) : null;
    if (!row) throw AppError.notFound('证明材料');
    if (row.caseId) await this.engine.loadVisible(row.caseId, user);
    else if (row.uploadedById !== user.id) assertInArea(user, row.areaCode ?? '', '证明材料');
    return row;
  }

  async content(id: string, user: AuthUser): Promise<{ row: EvidenceEntity; bytes: Buffer }> {
    const row = await this.get(id, user);
    return { row, bytes: await this.store.get(row.sha256) };
  }
}
