import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, Not } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { levelOf } from '../../common/domain/area';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { validateBody } from '../../common/http/validation';
import { AreaEntity, CaseEntity, HouseholdEntity } from '../../database/entities';
import { failingRules, type ProcedureEvent } from '../../machines/procedure';
import {
  type PostSettingContext,
  type PostSettingFacts,
  type PostSettingInput,
  postSettingRules,
  welfarePostSetting,
} from '../../machines/welfare-post-setting.machine';
import { type PreparedCase, type ProcedureAdapter, ProcedureRegistry, type TransitionEffect } from '../engine/procedure-adapter';
import { PoliciesService } from '../policies/policies.service';
import { CreatePostSettingDto } from './welfare-posts.dto';
import { WelfarePostEntity } from './welfare-posts.entities';

/** 按需设岗: opens setting cases for villages and turns an approved one into an open post. */
@Injectable()
export class WelfarePostSettingAdapter implements ProcedureAdapter, OnModuleInit {
  readonly definitions = [welfarePostSetting];
  readonly creatorRoles = ['village' as const];

  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async prepareCreate({ body, actor, em }: { body: unknown; actor: AuthUser; em: EntityManager }): Promise<PreparedCase> {
    const dto = validateBody(CreatePostSettingDto, body);
    if (levelOf(dto.areaCode) !== 'village') throw AppError.validation({ areaCode: '设岗申请须以村（12位村级代码）为单位' });
    assertInArea(actor, dto.areaCode, '行政区划');
    if (!(await em.existsBy(AreaEntity, { code: dto.areaCode }))) throw AppError.validation({ areaCode: `村 ${dto.areaCode} 尚未登记` });

    const input: PostSettingInput = {
      postId: randomUUID(),
      areaCode: dto.areaCode,
      postType: dto.postType,
      places: dto.places,
      duties: dto.duties,
      monthlySubsidy: dto.monthlySubsidy,
      termMonths: dto.termMonths,
      justification: dto.justification,
    };
    // a term above the maximum, or a justification that is no text, can never pass: refuse at once, naming the rule
    const policy = await this.policies.effective(dto.areaCode);
    const event: ProcedureEvent = {
      type: 'CREATE',
      data: {},
      evidence: [],
      actor: { id: actor.id, role: actor.role, sector: actor.sector },
      env: { now: new Date().toISOString(), policy: policy.values, facts: {} },
    };
    const failing = failingRules(postSettingRules, ['term_within_max', 'need_justified'], { context: input as PostSettingContext, event });
    if (failing.length) {
      throw new AppError(ErrorCode.RULE_VIOLATED, failing.map((r) => postSettingRules[r].message).join('；'), {
        rule: failing[0],
        rules: failing.map((id) => ({ id, message: postSettingRules[id].message })),
      });
    }
    return { areaCode: dto.areaCode, subjectId: input.postId, input: { ...input }, auditData: { ...input } };
  }

  async facts({ caseRow, em }: { caseRow: CaseEntity; type: string; em: EntityManager }): Promise<Record<string, unknown>> {
    const c = caseRow.snapshot.context as PostSettingContext;
    const [households, open, post] = await Promise.all([
      em.countBy(HouseholdEntity, { areaCode: c.areaCode }),
      em.findBy(WelfarePostEntity, { areaCode: c.areaCode, postType: c.postType, status: 'open', id: Not(c.postId) }),
      em.findOneBy(WelfarePostEntity, { id: c.postId }),
    ]);
    const facts: PostSettingFacts = {
      households,
      openPlaces: open.reduce((n, p) => n + p.places, 0),
      filled: post?.filled ?? 0,
    };
    return { ...facts };
  }

  async afterTransition({ em, caseRow, toState, context, event }: TransitionEffect): Promise<void> {
    const c = context as PostSettingContext;
    const now = new Date(event.env.now);
    if (toState === 'open') {
      await em.insert(WelfarePostEntity, {
        id: c.postId,
        settingCaseId: caseRow.id,
        areaCode: c.areaCode,
        postType: c.postType,
        places: c.places,
        filled: 0,
        duties: c.duties,
        monthlySubsidy: c.monthlySubsidy,
        termMonths: c.termMonths,
        status: 'open',
        createdAt: now,
        updatedAt: now,
        closedAt: null,
      });
    } else if (toState === 'closed') {
      await em.update(WelfarePostEntity, { id: c.postId }, { status: 'closed', closedAt: now, updatedAt: now });
    }
  }
}
