/**
 * Issue 21: `mapPhones` (the sealedPhones column transformer) and `maskPersonalData` copy on
 * write. Their output must serialize exactly as the full copies they replace, with `fn` called on
 * the same strings in the same order, and leave the input untouched.
 */
import { maskPersonalData } from '../domain/id-number';
import { maskIdNumber, maskPhone } from '../domain/id-number';
import { installPii, mapPhones, sealedPhones } from './pii';

const isPhoneKey = (k: string) => k === 'phone' || k.endsWith('Phone');

/** the implementations before issue 21 (full copies) */
function oldMapPhones<T>(value: T, fn: (s: string) => string): T {
  if (Array.isArray(value)) return value.map((v) => oldMapPhones(v, fn)) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = typeof v === 'string' && isPhoneKey(k) && v !== '' ? fn(v) : oldMapPhones(v, fn);
  return out as T;
}
function oldMask<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => oldMask(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && (k === 'idNumber' || k === 'phone' || k.endsWith('Phone'))) out[k] = k === 'idNumber' ? maskIdNumber(v) : maskPhone(v);
    else out[k] = oldMask(v);
  }
  return out as T;
}

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
const KEYS = ['phone', 'mobilePhone', 'contactPhone', 'idNumber', 'name', 'members', 'data', 'value', 'context', 'note', 'Phone', 'phones', '__proto__', 'toJSON'];
const STRINGS = ['', '13800138000', '138', 'v1:k1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:abc', '411003199001011234', '张三', '1234567'];

function tree(depth: number): unknown {
  const r = random();
  if (depth > 4 || r < 0.35) return pick<unknown>([...STRINGS, 0, 1.5, true, false, null, Number.NaN]);
  if (r < 0.45) return new Date(Date.UTC(2026, 0, 1 + Math.floor(random() * 300)));
  if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => tree(depth + 1));
  if (r < 0.65) return JSON.parse(`{"__proto__": ${JSON.stringify(tree(depth + 1)) ?? 'null'}, "${pick(['phone', 'note'])}": "139"}`);
  const o: Record<string, unknown> = r < 0.7 ? Object.create(null) : r < 0.75 ? new (class Box {})() : {};
  for (let i = Math.floor(random() * 5); i > 0; i--) {
    const k = pick(KEYS);
    if (k === '__proto__') continue;
    o[k] = tree(depth + 1);
  }
  return o;
}

describe('copy on write keeps the output of the full copies (issue 21)', () => {
  beforeAll(() => installPii({ keys: [{ id: 'k1', key: Buffer.alloc(32, 1) }], hmacKey: Buffer.alloc(32, 2) }));

  it('mapPhones: same JSON, same calls of fn in the same order, input untouched, on 3,000 random trees', () => {
    for (let i = 0; i < 3000; i++) {
      const t = tree(0);
      const before = JSON.stringify(t);
      const oldCalls: string[] = [];
      const newCalls: string[] = [];
      const tag = (calls: string[]) => (s: string) => {
        calls.push(s);
        return s.startsWith('v1:') ? s : `sealed(${s})`;
      };
      const expected = JSON.stringify(oldMapPhones(t, tag(oldCalls)));
      expect(JSON.stringify(mapPhones(t, tag(newCalls)))).toBe(expected);
      expect(newCalls).toEqual(oldCalls);
      expect(JSON.stringify(t)).toBe(before);
    }
  });

  it('maskPersonalData: same JSON and input untouched on 3,000 random trees', () => {
    for (let i = 0; i < 3000; i++) {
      const t = tree(0);
      const before = JSON.stringify(t);
      expect(JSON.stringify(maskPersonalData(t))).toBe(JSON.stringify(oldMask(t)));
      expect(JSON.stringify(t)).toBe(before);
    }
  });

  it('nothing to seal or mask: the same plain object back, no copy', () => {
    const snapshot = { value: 'verifying', context: { income: [{ month: '2026-01', amount: 1200 }], assistanceContact: { name: '李四', unit: '乡政府', phone: '' } } };
    expect(mapPhones(snapshot, () => 'x')).toBe(snapshot);
    expect(maskPersonalData(snapshot)).toBe(snapshot);
    const sealed = { contact: { phone: 'v1:k1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:abc' }, other: { a: [1, 2] } };
    expect(sealedPhones.to(sealed)).toBe(sealed);
    const withPhone = { contact: { phone: '13800138000' }, other: { a: [1, 2] } };
    const out = sealedPhones.to(withPhone) as typeof withPhone;
    expect(out).not.toBe(withPhone);
    expect(out.other).toBe(withPhone.other);
    expect(out.contact.phone).toMatch(/^v1:k1:/);
    expect(withPhone.contact.phone).toBe('13800138000');
  });
});
