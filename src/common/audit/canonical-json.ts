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
  const keys = sortedKeys(node);
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = write((node as Record<string, unknown>)[key], seen);
    if (!v) continue;
    out += (first ? '' : ',') + quoted(key) + ':' + v;
    first = false;
  }
  seen.pop();
  return out + '}';
}

/**
 * The object's keys in default sort order (UTF-16 code units, as `Array.prototype.sort()` with
 * no comparator orders strings). Small objects — every audit and ledger entry's — are sorted in
 * place by insertion, without the work array a library sort allocates (issue 21).
 */
function sortedKeys(node: object): string[] {
  const keys = Object.keys(node);
  if (keys.length > 24) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** A key as JSON text; the few hundred field names of the entries are quoted once per process. */
const QUOTED = new Map<string, string>();

function quoted(key: string): string {
  let q = QUOTED.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    // bounded: keys of free-form data (a form's own field names) may be many
    if (QUOTED.size >= 4096) QUOTED.clear();
    QUOTED.set(key, q);
  }
  return q;
}
