/**
 * Issue 12 (item 13): the rules for opening a case, as declared in the definitions, judged at
 * their edges by the same function the engine uses (failingCreationRules).
 */
import { defaultPolicyValues } from '../common/policy/policy-keys';
import { creationRefusal } from '../modules/engine/requirements';
import { monitoringInclusion } from './monitoring-inclusion.machine';
import { failingCreationRules } from './procedure';
import { projectIntake } from './project-intake.machine';
import { riskElimination } from './risk-elimination.machine';
import { welfarePostHiring } from './welfare-post-hiring.machine';

const policy = defaultPolicyValues();
const NOW = '2026-06-01T00:00:00.000Z';
const args = (facts: Record<string, unknown>, over: Partial<typeof policy> = {}) => ({ input: {}, facts, policy: { ...policy, ...over }, now: NOW });

describe('creation rules declared in the definitions (issue 12)', () => {
  it('inclusion: already monitored and an open case are refused, with the open case named', () => {
    expect(failingCreationRules(monitoringInclusion, args({ current: null, openCaseId: null }))).toEqual([]);
    expect(failingCreationRules(monitoringInclusion, args({ current: { id: 'mo', status: 'eliminated' }, openCaseId: null }))).toEqual([]);
    expect(failingCreationRules(monitoringInclusion, args({ current: { id: 'mo', status: 'monitoring' }, openCaseId: 'c1' }))).toEqual(['already_monitored', 'open_case_exists']);
    const refusal = creationRefusal(monitoringInclusion, args({ current: null, openCaseId: 'c1' }));
    expect(refusal).toMatchObject({ code: 'RULE_VIOLATED', message: '该户已有正在办理的识别纳入案件', details: { rule: 'open_case_exists', caseId: 'c1' } });
  });

  it('elimination: the minimum monitoring period holds from the start date at midnight China time, exactly at the edge', () => {
    const ok = { status: 'monitoring', startDate: '2025-12-01', hasMeasure: true, openCaseId: null };
    // P6M from 2025-12-01 00:00 +08:00 is 2026-05-31T16:00Z: passed at NOW
    expect(failingCreationRules(riskElimination, args(ok, { 'elimination.minMonitoringPeriod': 'P6M' }))).toEqual([]);
    expect(failingCreationRules(riskElimination, { ...args(ok, { 'elimination.minMonitoringPeriod': 'P6M' }), now: '2026-05-31T16:00:00.000Z' })).toEqual([]);
    expect(failingCreationRules(riskElimination, { ...args(ok, { 'elimination.minMonitoringPeriod': 'P6M' }), now: '2026-05-31T15:59:59.999Z' })).toEqual(['min_monitoring_period']);
    expect(failingCreationRules(riskElimination, args({ ...ok, hasMeasure: false, openCaseId: 'c2' }))).toEqual(['measure_recorded', 'open_case_exists']);
    expect(failingCreationRules(riskElimination, args({ ...ok, status: 'eliminated' }))).toEqual(['not_in_monitoring']);
    const refusal = creationRefusal(riskElimination, { ...args(ok, { 'elimination.minMonitoringPeriod': 'P6M' }), now: '2026-05-01T00:00:00.000Z' });
    expect(refusal?.message).toContain('P6M');
  });

  it('hiring: an open application is refused; project intake: a change only of a library project, one at a time', () => {
    expect(failingCreationRules(welfarePostHiring, args({ openApplicationId: null }))).toEqual([]);
    expect(failingCreationRules(welfarePostHiring, args({ openApplicationId: 'h1' }))).toEqual(['open_application_exists']);
    expect(failingCreationRules(projectIntake, args({ changeOf: null }))).toEqual([]);
    expect(failingCreationRules(projectIntake, args({ changeOf: { projectId: 'p', status: 'in_library', changeCaseId: null } }))).toEqual([]);
    expect(failingCreationRules(projectIntake, args({ changeOf: { projectId: 'p', status: 'applying', changeCaseId: null } }))).toEqual(['project_not_in_library']);
    expect(failingCreationRules(projectIntake, args({ changeOf: { projectId: 'p', status: 'in_library', changeCaseId: 'x' } }))).toEqual(['open_change_exists']);
  });
});
