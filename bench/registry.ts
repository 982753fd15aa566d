/**
 * Phase "registry" (issue 13): the household registry bulk load, as a county starts with it.
 *
 * Setup (not measured): a CSV as the national 防返贫监测信息系统 exports it, one row per member,
 * M members (default 300,000) in households of three (户主, 配偶, 子女) over the five demo villages.
 *
 * Measured: `POST /imports/households` by the county user, then `GET /imports/households/{id}`
 * every 250 ms until completed (wall time from the upload; service time from the import's own
 * startedAt/finishedAt). Then the same file again: every member unchanged, no household changed.
 * The target: 300,000 members in under 2 minutes.
 *
 * ID numbers: 411003 + a birth date in 1940–1969 + an order code in 900..999, a block no other
 * phase and no seed uses.
 */
import { checkCharacter } from '../src/common/domain/id-number';
import type { HouseholdImportCounts } from '../src/modules/registry/registry.entities';
import { type Api, RequestFailed } from './http';
import type { Recorder } from './stats';

export const REGISTRY_USER = 'c_jianan';
export const REGISTRY_VILLAGES = ['411003100201', '411003100202', '411003101201', '411003101202', '411003102201'] as const;
export const REGISTRY_TARGET_MS = 120_000;
export const REGISTRY_LABELS = ['registry-upload', 'registry-poll'] as const;
const POLL_MS = 250;
const TIMEOUT_MS = 15 * 60_000;
const DAY = 86_400_000;
const FIRST_BIRTH = Date.UTC(1940, 0, 1);
const BIRTH_DAYS = Math.round((Date.UTC(1969, 11, 31) - FIRST_BIRTH) / DAY) + 1;
const ORDER_FROM = 900;
const ORDER_TO = 999;
export const REGISTRY_ID_CAPACITY = BIRTH_DAYS * (ORDER_TO - ORDER_FROM + 1);

function registryId(k: number): { idNumber: string; birthDate: string; gender: '男' | '女' } {
  const birthDate = new Date(FIRST_BIRTH + (k % BIRTH_DAYS) * DAY).toISOString().slice(0, 10);
  const order = ORDER_FROM + Math.floor(k / BIRTH_DAYS);
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  return { idNumber: first17 + checkCharacter(first17), birthDate, gender: order % 2 === 1 ? '男' : '女' };
}

export interface RegistryFile {
  csv: Buffer;
  members: number;
  households: number;
  buildMs: number;
}

const RELATIONS = ['户主', '配偶', '子女'];
const EMPLOYMENT = ['县内务工', '省外务工', '未务工', '省内县外务工'];
const LABOUR = ['普通劳动力', '技能劳动力', '弱劳动力或半劳动力', '丧失劳动力'];

export function buildRegistryFile(members: number): RegistryFile {
  if (members > REGISTRY_ID_CAPACITY) throw new Error(`at most ${REGISTRY_ID_CAPACITY} members`);
  const started = performance.now();
  const lines: string[] = ['户编号,户主姓名,姓名,证件号码,与户主关系,性别,出生日期,劳动技能,务工状况,残疾类别/等级,联系电话,所在村,是否脱贫户'];
  let households = 0;
  for (let k = 0; k < members; k++) {
    const h = Math.floor(k / 3);
    if (k % 3 === 0) households++;
    const id = registryId(k);
    const code = `BENCH${String(h).padStart(8, '0')}`;
    lines.push([
      code,
      `压测户${h + 1}`,
      k % 3 === 0 ? `压测户${h + 1}` : `成员${k + 1}`,
      id.idNumber,
      RELATIONS[k % 3],
      id.gender,
      id.birthDate,
      LABOUR[k % 4],
      EMPLOYMENT[k % 4],
      k % 97 === 0 ? '肢体三级' : '',
      k % 3 === 0 ? `139${String(h % 1e8).padStart(8, '0')}` : '',
      REGISTRY_VILLAGES[h % REGISTRY_VILLAGES.length],
      h % 5 === 0 ? '是' : '否',
    ].join(','));
  }
  return { csv: Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8'), members, households, buildMs: performance.now() - started };
}

interface View {
  id: string;
  status: string;
  progress: { rowsDone: number; rowsTotal: number | null };
  counts: HouseholdImportCounts;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RegistryRun {
  label: string;
  id?: string;
  uploadMs?: number;
  wallMs?: number;
  serviceMs?: number;
  membersPerSecond?: number;
  status?: string;
  counts?: HouseholdImportCounts;
  problems: string[];
}

export async function runRegistryImport(api: Api, recorder: Recorder, token: string, file: RegistryFile, label: string, stop: AbortSignal): Promise<RegistryRun> {
  const run: RegistryRun = { label, problems: [] };
  const started = Date.now();
  try {
    const form = new FormData();
    form.append('file', new Blob([file.csv], { type: 'text/csv' }), `bench-households-${file.members}.csv`);
    const up = await api.timed<View>('registry-upload', 'POST', '/imports/households', { token, form, expect: 202 });
    run.uploadMs = up.ms;
    run.id = up.body.id;
    let view = up.body;
    for (;;) {
      if (stop.aborted) return run;
      if (Date.now() - started > TIMEOUT_MS) {
        run.problems.push(`${label}: not finished after ${TIMEOUT_MS / 1000} s`);
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
      view = await api.call<View>('registry-poll', 'GET', `/imports/households/${run.id}`, { token });
      if (view.status === 'completed' || view.status === 'failed') {
        run.wallMs = Date.now() - started;
        break;
      }
    }
    run.status = view.status;
    run.counts = view.counts;
    if (view.startedAt && view.finishedAt) run.serviceMs = Date.parse(view.finishedAt) - Date.parse(view.startedAt);
    if (run.wallMs) run.membersPerSecond = Math.round((file.members / run.wallMs) * 1000);
    if (view.status !== 'completed') run.problems.push(`${label}: ${view.status} ${view.error ?? ''}`);
  } catch (err) {
    if (!(err instanceof RequestFailed)) recorder.error({ label: 'bench', status: 'bench-error', request: `registry ${label}`, response: String((err as Error)?.stack ?? err) });
    run.problems.push(`${label}: ${(err as Error).message}`);
  }
  return run;
}

/** What each run must show: the first creates everything, the second changes nothing. */
export function checkRegistryRun(run: RegistryRun, file: RegistryFile, first: boolean): void {
  const c = run.counts;
  if (!c) return;
  const want = first
    ? { householdsCreated: file.households, householdsChanged: 0, created: file.members, updated: 0, moved: 0, unchanged: 0, invalid: 0, conflict: 0 }
    : { householdsCreated: 0, householdsChanged: 0, created: 0, updated: 0, moved: 0, unchanged: file.members, invalid: 0, conflict: 0 };
  for (const [k, v] of Object.entries(want)) {
    if (c[k as keyof HouseholdImportCounts] !== v) run.problems.push(`${run.label}: ${k} ${c[k as keyof HouseholdImportCounts]}, expected ${v}`);
  }
}
