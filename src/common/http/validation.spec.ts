/**
 * Issue 21: the global pipe lets a hot endpoint's body skip class-validator when a compiled
 * schema accepts it. Guard: many bodies, valid and invalid, through the class-validator pipe and
 * the fast one give the same outcome — the same DTO instance (class, keys, values) or the same
 * error (code, Chinese message, fields) — and the schema never accepts a body class-validator
 * refuses.
 */
import type { ArgumentMetadata } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { acceptsBatchEvent, acceptsCaseEvent, BatchEventDto, CaseEventDto } from '../../modules/engine/cases.dto';
import { validationPipe } from './validation';

const UUID = 'b3c1a8e2-4d5f-4a6b-9c7d-1e2f3a4b5c6d';
const VALUES: unknown[] = [
  undefined, null, true, false, 0, 1, -1, 2, 1.5, 51, 4000, Number.MAX_SAFE_INTEGER, 1e300, '', 'x', '1', 'RECORD_VERIFICATION', 'A', 'AB', 'Ab', 'A1',
  'A'.repeat(40), 'A'.repeat(41), 'RECORD_VERIFICATION\n', ' RECORD_VERIFICATION', UUID, UUID.toUpperCase(), '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', 'b3c1a8e2-4d5f-9a6b-9c7d-1e2f3a4b5c6d', 'b3c1a8e2-4d5f-4a6b-1c7d-1e2f3a4b5c6d', `${UUID}\n`,
  '原因'.repeat(2000), '原'.repeat(4001), '😀'.repeat(4000), '😀'.repeat(3999) + 'ab', '\uFE0F'.repeat(4001), 'x'.repeat(4000), 'x'.repeat(4001),
  [], [UUID], [UUID, UUID], Array(50).fill(UUID), Array(51).fill(UUID), [UUID, 'x'], [1], [null], [[UUID]], {}, { a: 1 }, { a: { b: [1, { c: null }] } },
  { phone: '13800138000' }, [{}],
];
const KEYS = ['type', 'version', 'evidenceIds', 'data', 'reason', 'extra', 'Type', 'caseId'];

let seed = 21;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];

/** a JSON body (as body-parser gives it): mostly near-valid events with one or two things off */
function body(batch: boolean): unknown {
  const r = random();
  if (r < 0.03) return pick<unknown>([undefined, null, 'RECORD_VERIFICATION', 3, [], [{ type: 'A', version: 1 }]]);
  const b: Record<string, unknown> = { type: pick(['RECORD_VERIFICATION', 'APPROVE', 'SUBMIT']) };
  if (!batch) b.version = 1 + Math.floor(random() * 9);
  if (random() < 0.6) b.evidenceIds = random() < 0.5 ? [UUID] : [];
  if (random() < 0.6) b.data = { perCapitaIncome: 5600, visitDate: '2026-12-01' };
  if (random() < 0.4) b.reason = '材料不全';
  for (let n = Math.floor(random() * 3); n > 0; n--) {
    const k = pick(KEYS);
    if (random() < 0.15) delete b[k];
    else b[k] = pick(VALUES);
  }
  return JSON.parse(JSON.stringify(b) ?? 'null') as unknown;
}

async function outcome(pipe: ReturnType<typeof validationPipe>, value: unknown, metatype: ArgumentMetadata['metatype']) {
  try {
    const v = await pipe.transform(structuredClone(value), { type: 'body', metatype, data: undefined });
    return { ok: true, class: (v as object)?.constructor?.name, keys: Object.keys(v as object), value: v };
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    return { ok: false, error: { name: err.name, message: err.message, ...(err as unknown as Record<string, unknown>) } };
  }
}

describe('the fast body check of the validation pipe (issue 21)', () => {
  const slow = validationPipe({ fast: false });
  const fast = validationPipe();

  it.each([
    ['CaseEventDto', CaseEventDto, acceptsCaseEvent, false],
    ['BatchEventDto', BatchEventDto, acceptsBatchEvent, true],
  ] as const)('%s: 6,000 bodies give the same instance or the same error body both ways; the schema accepts only what class-validator accepts', async (_name, dto, accepts, batch) => {
    let fastPath = 0;
    let refused = 0;
    for (let i = 0; i < 6000; i++) {
      const b = body(batch);
      const [before, after] = [await outcome(slow, b, dto), await outcome(fast, b, dto)];
      expect({ body: b, outcome: after }).toStrictEqual({ body: b, outcome: before });
      if (accepts(b)) {
        fastPath++;
        expect({ body: b, ok: before.ok }).toEqual({ body: b, ok: true });
      }
      if (!before.ok) refused++;
    }
    // both kinds were exercised, and the common valid bodies take the fast path
    expect(refused).toBeGreaterThan(1000);
    expect(fastPath).toBeGreaterThan(1000);
  });

  it('the bodies every client sends take the fast path', () => {
    expect(acceptsCaseEvent({ type: 'RECORD_VERIFICATION', version: 3, evidenceIds: [UUID], data: { a: 1 } })).toBe(true);
    expect(acceptsCaseEvent({ type: 'RETURN', version: 3, reason: '材料不全', evidenceIds: null, data: null })).toBe(true);
    expect(acceptsBatchEvent({ type: 'APPROVE', evidenceIds: [] })).toBe(true);
    expect(acceptsCaseEvent({ type: 'RECORD_VERIFICATION', version: 0 })).toBe(false);
  });

  it('an error keeps its code, Chinese message and fields', async () => {
    const r = await outcome(fast, { type: 'x', version: 1, extra: 1 }, CaseEventDto);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toContain('type 应为事件名，例如 RECORD_VERIFICATION');
  });
});
