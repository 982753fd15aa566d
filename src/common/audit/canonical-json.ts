/**
 * Canonical (key-sorted) JSON, byte for byte what `json-stable-stringify` (1.x, no options)
 * writes — every stored hash (audit chains, record ledger, idempotency, policies) was made with
 * it, so the output must never differ — without its per-node closures and call-bound helpers
 * (issue 21: it was ~3 % of a transition's CPU, four hashes per step). Its rules, kept here:
 * `toJSON()` first (a Date is its ISO string); in an object a key whose value is undefined, a
 * function or a symbol is left out, in an array such an item is `null`; keys in default sort
 * order (UTF-16 code units); a value that contains itself throws. `canonical-json.spec.ts`
 * compares the two on many values.
 */
export function canonicalJson(value: unknown): string | undefined {
  return write(value, []);
}

function write(node: unknown, seen: object[]): string | undefined {
  if (node && typeof (node as { toJSON?: unknown }).toJSON === 'function') node = (node as { toJSON: () => unknown }).toJSON();
  if (node === undefined) return undefined;
  if (typeof node !== 'object' || node === null) return JSON.stringify(node);
  if (Array.isArray(node)) {
    let out = '[';
    for (let i = 0; i < node.length; i++) {
      if (i) out += ',';
      out += write(node[i], seen) || 'null';
    }
    return out + ']';
  }
  if (seen.includes(node)) throw new TypeError('Converting circular structure to JSON');
  seen.push(node);
  const keys = Object.keys(node).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = write((node as Record<string, unknown>)[key], seen);
    if (!v) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + v;
    first = false;
  }
  seen.pop();
  return out + '}';
}
