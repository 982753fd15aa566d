import stringify from 'json-stable-stringify';
import { canonicalJson } from './canonical-json';

/** A deterministic pseudo-random source, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const KEYS = ['a', 'B', 'b', '_', 'z', '户主', '收入', 'é', '10', '2', '', 'key with space', 'quote"d', '\u2028', 'A1', 'a1', '😀'];
const STRINGS = ['', 'x', '经乡镇复核，情况属实', 'line\nbreak', 'tab\t', '"q"', '\\', '\u0000', '\ud800', '😀', '</script>'];

function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 9 : 12));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor(r() * 2e6) - 1e6;
    case 3: return [0.1, -0, 1e21, 1e-7, NaN, Infinity, -Infinity, 12345.678, Number.MAX_SAFE_INTEGER][Math.floor(r() * 9)];
    case 4: return STRINGS[Math.floor(r() * STRINGS.length)];
    case 5: return undefined;
    case 6: return new Date(Math.floor(r() * 2e12));
    case 7: return r() < 0.5 ? () => 1 : Symbol('s');
    case 8: {
      const wrapped = Math.floor(r() * 10);
      return { toJSON: () => ({ wrapped }) };
    }
    case 9:
    case 10: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)]] = value(r, depth + 1);
      return o;
    }
    default: return Array.from({ length: Math.floor(r() * 5) }, () => value(r, depth + 1));
  }
}

describe('canonicalJson (issue 21): byte for byte what json-stable-stringify writes, so every stored hash still verifies', () => {
  it('trust: the same text as json-stable-stringify for 5,000 generated values (nested objects, arrays, dates, undefined, functions, symbols, odd numbers and keys)', () => {
    const r = rng(20261206);
    for (let i = 0; i < 5000; i++) {
      const v = value(r, 0);
      expect(canonicalJson(v)).toBe(stringify(v));
    }
  });

  it('trust: the shapes the chains hash — an audit entry, a ledger entry, a request — as before', () => {
    const entry = {
      caseId: '0b1c', seq: 3, prevHash: '0'.repeat(64), event: 'RECORD_VERIFICATION', fromState: 'lead', toState: 'village_appraisal',
      actor: { id: 'u1', username: 'v_zhangcun', role: 'village' }, at: new Date(0).toISOString(), reason: null,
      data: { members: [{ name: '顾同仁', income: 1200.5 }], note: undefined }, evidence: [{ id: 'e', type: 'household_survey', sha256: 'ab' }],
      policyVersion: 'p', householdVersion: 2,
    };
    expect(canonicalJson(entry)).toBe(stringify(entry));
    expect(canonicalJson({ b: 1, a: [undefined, () => 0, { d: undefined }] })).toBe('{"a":[null,null,{}],"b":1}');
    expect(canonicalJson(undefined)).toBe(stringify(undefined));
  });

  it('trust: a value that contains itself is refused as json-stable-stringify refuses it; a value repeated side by side is not a cycle', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = { back: o };
    expect(() => canonicalJson(o)).toThrow(TypeError);
    expect(() => stringify(o)).toThrow(TypeError);
    const shared = { x: 1 };
    expect(canonicalJson({ p: shared, q: [shared, shared] })).toBe(stringify({ p: shared, q: [shared, shared] }));
  });
});
