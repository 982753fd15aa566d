/**
 * A water-keeper post of 霍庄村 opened through the engine and a member hired to it, on duty from the
 * first day of last month on China's calendar (at 00:30 Beijing on the 1st the UTC month is still
 * the one before). Used by the registry specs whose consequences reach post holders (SF-15).
 */
import { calendarMonth } from '../../src/common/domain/calendar';
import { addMonths } from '../../src/machines/welfare-posts.shared';
import type { TestEnv } from './harness';
import { secondsFloor, widenPolicyBounds } from './policy-bounds';
import { COUNTY, expectOk, HUOZHUANG, send, TOWNSHIP, uploadAll, VILLAGE, waitForState } from './flows';

const COUNTY_CODE = '411003000000';

/** The first day of last month on China's calendar. */
export const lastMonthStart = (): string => `${addMonths(calendarMonth(), -1)}-01`;

/** Opens the post (notice of seconds: the national floor lowered first, with a reason, plus `bounds`). */
export async function openWaterPost(env: TestEnv, places: number, bounds: Record<string, { min?: unknown; max?: unknown }> = {}): Promise<string> {
  await widenPolicyBounds(env, { ...secondsFloor('posts.noticePeriod'), ...bounds }, '测试环境：公益岗位公示期缩短到秒级，以便验证登记变化带来的任务');
  await expectOk(await env.http().put(`/policies/${COUNTY_CODE}`).set('Authorization', `Bearer ${await env.token('admin')}`).send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'posts.noticePeriod': 'PT2S' } }), 201);
  const c = await expectOk(await env.http().post('/procedures/welfare-post-setting/cases').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({ areaCode: HUOZHUANG, postType: 'water_keeper', places, duties: '负责村内供水设施日常巡查与维护', monthlySubsidy: 600, termMonths: 12, justification: '全村集中供水工程一处，管网4公里，需专人管护' }), 201);
  await expectOk(await send(env, VILLAGE, c.id, { type: 'SUBMIT', evidenceIds: await uploadAll(env, VILLAGE, c.id, ['application_form']) }));
  await expectOk(await send(env, TOWNSHIP, c.id, { type: 'APPROVE', data: { opinion: '经乡镇实地核实确有需要' } }));
  const open = await expectOk(await send(env, COUNTY, c.id, { type: 'APPROVE', data: { opinion: '同意设岗', capJustification: '本村供水管网和公共设施分散，经县级实地核查确需增设岗位' } }));
  return open.subject.id as string;
}

/** Hires `memberId` to `postId` through every step; returns the hiring case, on duty since last month's first day. */
export async function hireOnDuty(env: TestEnv, postId: string, memberId: string): Promise<string> {
  const c = await expectOk(await env.http().post('/procedures/welfare-post-hiring/cases').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({ postId, memberId, exclusions: { villageCadreOrFamily: false, publicEmployee: false, urbanEmployeePension: false } }), 201);
  await expectOk(await send(env, VILLAGE, c.id, { type: 'RECOMMEND', evidenceIds: await uploadAll(env, VILLAGE, c.id, ['meeting_minutes', 'sign_in_sheet']), data: { result: 'recommended' } }));
  await expectOk(await send(env, VILLAGE, c.id, { type: 'PUBLISH_NOTICE', evidenceIds: await uploadAll(env, VILLAGE, c.id, ['notice_photo']), data: { text: '霍庄村拟聘用公益性岗位人员公示' } }));
  await waitForState(env, VILLAGE, c.id, 'township_review');
  await expectOk(await send(env, TOWNSHIP, c.id, { type: 'APPROVE', data: { opinion: '经审核符合聘用条件' } }));
  await expectOk(await send(env, COUNTY, c.id, { type: 'APPROVE', data: { opinion: '同意聘用' } }));
  const onDuty = await expectOk(await send(env, TOWNSHIP, c.id, { type: 'SIGN_AGREEMENT', evidenceIds: await uploadAll(env, TOWNSHIP, c.id, ['agreement']), data: { startDate: lastMonthStart(), termMonths: 12 } }));
  if (onDuty.state !== 'on_duty') throw new Error(`hiring case ${c.id} is ${onDuty.state}, not on_duty`);
  return c.id as string;
}
