/**
 * `value` with every string held under an object key passed through `fn(key, string)`, wherever
 * it is nested (strings directly in arrays are kept). Copy on write (issue 21: it runs on every
 * write and read of a case's snapshot and on every case view): a plain object or array in which
 * `fn` changes nothing is returned as it is, one in which it changes something is copied, and so
 * are its ancestors; any other object (a class instance; a Date unless `keepDates`) is copied
 * as a plain object of its own keys, and so is one with an own `__proto__` key (JSON.parse makes
 * one; a copy drops it), as a full copy did. The JSON of the result is a full copy's.
 */
export function mapStringsByKey<T>(value: T, fn: (key: string, s: string) => unknown, keepDates = false): T {
  if (value === null || typeof value !== 'object' || (keepDates && value instanceof Date)) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = mapStringsByKey(v, fn, keepDates);
      if (out) out[i] = r;
      else if (r !== v) {
        out = value.slice(0, i);
        out[i] = r;
      }
    }
    return (out ?? value) as T;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  const source = value as Record<string, unknown>;
  let out: Record<string, unknown> | null = (proto === Object.prototype || proto === null) && !Object.hasOwn(value, '__proto__') ? null : {};
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = source[k];
    const r = typeof v === 'string' ? fn(k, v) : mapStringsByKey(v, fn, keepDates);
    if (out) out[k] = r;
    else if (r !== v) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = source[keys[j]];
      out[k] = r;
    }
  }
  return (out ?? value) as T;
}
