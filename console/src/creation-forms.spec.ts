import { readFileSync } from 'node:fs';
import { POLICY_KEYS } from '../../src/common/policy/policy-keys';
import { PAYMENT_KINDS } from '../../src/machines/project-funds';
import { PROJECT_CATEGORIES as SERVICE_CATEGORIES } from '../../src/machines/project-intake.machine';
import { SEVERITIES as SERVICE_SEVERITIES } from '../../src/machines/rectification.machine';
import { POST_TYPES as SERVICE_POST_TYPES } from '../../src/machines/welfare-posts.shared';
import type { User } from './api';
import { bodyOf, CREATION_FORMS, DETECTORS, fieldDefs, formsFor, POST_TYPES, PROJECT_CATEGORIES, SEVERITIES } from './creation-forms';
import { initialValues } from './schema';

/** The 新建 table (issue 20) against the service it describes: the roles, the choices, the body. */
describe('console creation forms', () => {
  const src = (path: string) => readFileSync(`${process.cwd()}/${path}`, 'utf8');
  const creatorRoles = (path: string) => [...src(path).match(/creatorRoles = \[([^\]]*)\]/)![1].matchAll(/'([a-z]+)'/g)].map((m) => m[1]).sort();
  const formOf = (id: string) => CREATION_FORMS.find((f) => f.id === id)!;
  const user: User = { id: 'u1', username: 'v', displayName: '村', role: 'village', areaCode: '411003100201', sector: null };

  it('trust: each form offers exactly the roles the service lets create it (the adapter\'s creatorRoles, the controller\'s @Roles)', () => {
    const adapters: Record<string, string> = {
      'risk-elimination': 'src/modules/risk-elimination/risk-elimination.adapter.ts',
      'welfare-post-setting': 'src/modules/welfare-posts/welfare-post-setting.adapter.ts',
      'welfare-post-hiring': 'src/modules/welfare-posts/welfare-post-hiring.adapter.ts',
      'project-intake': 'src/modules/project-intake/project-intake.adapter.ts',
      'project-implementation': 'src/modules/project-implementation/implementation.adapter.ts',
      'project-payment': 'src/modules/project-implementation/payment.adapter.ts',
      rectification: 'src/modules/rectification/rectification.adapter.ts',
    };
    for (const [id, path] of Object.entries(adapters)) expect({ id, roles: [...formOf(id).roles].sort() }).toEqual({ id, roles: creatorRoles(path) });
    // the lead: the village on its own page (a department's warnings come by 预警导入), within what the service allows
    expect(creatorRoles('src/modules/monitoring-inclusion/monitoring-inclusion.adapter.ts')).toEqual(expect.arrayContaining(formOf('monitoring-inclusion').roles));
    const fromInspection = src('src/modules/rectification/rectification.controller.ts').match(/@Roles\(([^)]*)\)\s*@Post\('findings\/from-inspection'\)/)![1];
    expect([...formOf('inspection-finding').roles].sort()).toEqual([...fromInspection.matchAll(/'([a-z]+)'/g)].map((m) => m[1]).sort());
    expect(formsFor('village').map((f) => f.id)).not.toContain('rectification');
    expect(formsFor('admin')).toEqual([]);
    expect(formsFor(undefined)).toEqual([]);
  });

  it('trust: every choice is one the service accepts, with the service\'s own Chinese title', () => {
    expect(POST_TYPES).toEqual(SERVICE_POST_TYPES.map((t) => ({ value: t.id, label: t.title })));
    const categories = Object.keys(POLICY_KEYS['projects.departmentsByCategory'].default);
    expect(PROJECT_CATEGORIES.map((c) => c.value)).toEqual(categories);
    for (const c of PROJECT_CATEGORIES) expect(c.label).toBe(SERVICE_CATEGORIES.find((s) => s.id === c.value)!.title);
    expect(SEVERITIES).toEqual(SERVICE_SEVERITIES.map((s) => ({ value: s.id, label: s.title })));
    const detectors = [...src('src/modules/rectification/detectors.ts').matchAll(/id: '([a-z-]+)',\s*title: '([^']+)'/g)].map((m) => ({ value: m[1], label: m[2] }));
    expect(detectors.length).toBeGreaterThan(0);
    expect(DETECTORS).toEqual(detectors);
    expect(formOf('project-payment').fields.find((f) => f.path === 'kind')!.options!.map((o) => o.value)).toEqual([...PAYMENT_KINDS]);
  });

  it('trust: the body is the DTO\'s shape — the user\'s village fixed, nested groups, numbers typed, empty optional fields and helper fields left out', () => {
    const project = formOf('project-intake');
    const values = initialValues(fieldDefs(project, {}));
    Object.assign(values, { name: '霍庄村产业路', category: 'roads', year: '2026', 'budget.total': '500000.5', 'budget.linkageFunds': '500000.5', 'budget.otherFunds': '0', 'period.start': '2026-04-01', performanceTargets: '[{"kind":"output"}]' });
    expect(bodyOf(project, user, values)).toEqual({
      areaCode: '411003100201',
      name: '霍庄村产业路',
      category: 'roads',
      year: 2026,
      budget: { total: 500000.5, linkageFunds: 500000.5, otherFunds: 0 },
      period: { start: '2026-04-01' },
      performanceTargets: [{ kind: 'output' }],
    });
    // hiring: the household only finds the member; the declaration is sent whether ticked or not
    const hiring = formOf('welfare-post-hiring');
    const hv = initialValues(fieldDefs(hiring, {}));
    Object.assign(hv, { postId: 'p1', householdId: 'h1', memberId: 'm1', 'exclusions.publicEmployee': true });
    expect(bodyOf(hiring, user, hv)).toEqual({ postId: 'p1', memberId: 'm1', exclusions: { villageCadreOrFamily: false, publicEmployee: true, urbanEmployeePension: false } });
    // the county's findings: no village is fixed into the body
    const finding = formOf('inspection-finding');
    const fv = initialValues(fieldDefs(finding, {}));
    Object.assign(fv, { detector: 'stale-monitoring' });
    expect(bodyOf(finding, { ...user, role: 'county', areaCode: '411003000000' }, fv)).toEqual({ detector: 'stale-monitoring' });
  });
});
