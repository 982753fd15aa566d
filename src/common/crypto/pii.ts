import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { ValueTransformer } from 'typeorm';
import { mapStringsByKey } from '../domain/map-strings';

/**
 * Personal data at rest (issue 11, PIPL): ID numbers and phones are stored as
 * `v1:<keyId>:<iv>:<tag>:<ciphertext>` (AES-256-GCM, a random 96-bit IV per value, base64url parts),
 * and looked up through a keyed hash (HMAC-SHA-256 under a separate key) kept in its own column.
 *
 * Keys come from configuration (`PII_KEYS`, `PII_HMAC_KEY`): the first data key writes, every listed
 * key reads, so a key can be rotated by putting a new one first and re-encrypting (`PiiRotation`).
 * The HMAC key is not rotated that way: changing it means recomputing every hash column.
 */
export interface PiiKeys {
  /** first = current (writes); all are readable */
  keys: { id: string; key: Buffer }[];
  hmacKey: Buffer;
}

export class PiiError extends Error {}

const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
const FORMAT = /^v1:([A-Za-z0-9_-]{1,16}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]*)$/;

function decodeKey(raw: string): Buffer | null {
  const s = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return null;
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** `k2:<base64 32 bytes>,k1:<base64 32 bytes>` → keys (first current). Throws a message naming the problem. */
export function parsePiiKeys(raw: string): PiiKeys['keys'] {
  const keys: PiiKeys['keys'] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf(':');
    const id = at > 0 ? part.slice(0, at) : '';
    if (!KEY_ID.test(id)) throw new PiiError(`PII_KEYS entries must be <keyId>:<base64 key> with a key id of 1-16 letters, digits, _ or -, got "${id || part.slice(0, 8)}…"`);
    const key = decodeKey(part.slice(at + 1));
    if (!key || key.length !== 32) throw new PiiError(`PII_KEYS key "${id}" must be 32 bytes, base64-encoded`);
    if (keys.some((k) => k.id === id)) throw new PiiError(`PII_KEYS lists key id "${id}" twice`);
    keys.push({ id, key });
  }
  if (!keys.length) throw new PiiError('PII_KEYS must list at least one key');
  return keys;
}

export function parseHmacKey(raw: string): Buffer {
  const key = decodeKey(raw);
  if (!key || key.length < 32) throw new PiiError('PII_HMAC_KEY must be at least 32 bytes, base64-encoded');
  return key;
}

export const newPiiKey = (): string => randomBytes(32).toString('base64');

/**
 * IVs cut from a pool of CSPRNG bytes refilled 1,024 IVs at a time (the bulk import encrypts
 * hundreds of thousands of values): each IV is used once, and a used pool is never rewritten.
 */
let ivPool = Buffer.alloc(0);
let ivAt = 0;
function freshIv(): Buffer {
  if (ivAt + 12 > ivPool.length) {
    ivPool = randomBytes(12 * 1024);
    ivAt = 0;
  }
  ivAt += 12;
  return ivPool.subarray(ivAt - 12, ivAt);
}

export class PiiCipher {
  private readonly byId: Map<string, Buffer>;
  readonly currentKeyId: string;

  constructor(private readonly config: PiiKeys) {
    if (!config.keys.length) throw new PiiError('no PII key');
    this.byId = new Map(config.keys.map((k) => [k.id, k.key]));
    this.currentKeyId = config.keys[0].id;
  }

  get keyIds(): string[] {
    return this.config.keys.map((k) => k.id);
  }

  encrypt(plain: string): string {
    const iv = freshIv();
    const c = createCipheriv('aes-256-gcm', this.byId.get(this.currentKeyId)!, iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `v1:${this.currentKeyId}:${iv.toString('base64url')}:${c.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`;
  }

  decrypt(stored: string): string {
    const m = FORMAT.exec(stored);
    if (!m) throw new PiiError('stored personal data is not in the v1 ciphertext format');
    const key = this.byId.get(m[1]);
    if (!key) throw new PiiError(`stored personal data was written under key "${m[1]}", which is not configured in PII_KEYS`);
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(m[2], 'base64url'));
      d.setAuthTag(Buffer.from(m[3], 'base64url'));
      return Buffer.concat([d.update(Buffer.from(m[4], 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new PiiError(`stored personal data failed authentication under key "${m[1]}" (altered, or a different key with the same id)`);
    }
  }

  /** the key id a stored value was written under (null: not a v1 ciphertext) */
  keyIdOf(stored: string): string | null {
    return FORMAT.exec(stored)?.[1] ?? null;
  }

  /** re-encrypts under the current key; null when already current */
  rotate(stored: string): string | null {
    return this.keyIdOf(stored) === this.currentKeyId ? null : this.encrypt(this.decrypt(stored));
  }

  /** HMAC-SHA-256 (base64url, 43 characters): equal inputs give equal hashes, for lookups and unique indexes */
  hash(plain: string): string {
    return createHmac('sha256', this.config.hmacKey).update(plain, 'utf8').digest('base64url');
  }
}

/**
 * The cipher the entity transformers use. Column decorators run at import time, before the Nest
 * config exists, so the service installs its cipher once at start (`AppModule.forRoot`, the CLI
 * data source, the seed) before any database work.
 */
let active: PiiCipher | null = null;

export function installPii(keys: PiiKeys): PiiCipher {
  active = new PiiCipher(keys);
  return active;
}

export function pii(): PiiCipher {
  if (!active) throw new PiiError('personal-data keys are not installed (installPii)');
  return active;
}

/** the keyed hash of an ID number, for `idNumberHash` */
export const piiHash = (plain: string): string => pii().hash(plain);

/** Transparent column encryption: entities hold clear text, the column holds `v1:…`. Never use such a column in WHERE. */
export const encrypted: ValueTransformer = {
  to: (v: unknown) => (typeof v === 'string' ? pii().encrypt(v) : v),
  from: (v: unknown) => (typeof v === 'string' ? pii().decrypt(v) : v),
};

/** The keys of free-form case data that hold a phone (as `maskPersonalData` masks them). */
const isPhoneKey = (k: string) => k === 'phone' || k.endsWith('Phone');

/**
 * `value` with every string under a phone key passed through `fn`, wherever it is nested.
 * Copy on write (issue 21: it runs on every write and read of a case's snapshot): a plain object
 * or array in which `fn` changes nothing is returned as it is, one in which it changes something
 * is copied (and so are its ancestors); any other object (a class instance) is copied as a plain
 * object, as before. The JSON of the result is the same as a full copy's.
 */
export function mapPhones<T>(value: T, fn: (s: string) => string): T {
  return mapStringsByKey(value, (k, v) => (v !== '' && isPhoneKey(k) ? fn(v) : v), true);
}

/** a phone sealed for storage (a value already sealed stays as it is) */
export const sealPhone = (s: string): string => (FORMAT.test(s) ? s : pii().encrypt(s));
/** a stored phone in clear text (a value stored before sealing stays as it is) */
export const unsealPhone = (s: string): string => (FORMAT.test(s) ? pii().decrypt(s) : s);

/**
 * Issue 19: phones inside free-form JSON (a case's snapshot, an audit entry's data, a monitoring
 * object's assistance contact) are encrypted at rest like the phone columns; the entities hold
 * clear text. An audit entry's hash covers the clear data, so the chain verifies whatever the
 * ciphertext (a new IV, another key) — and a ciphertext swapped in no longer matches its hash.
 */
export const sealedPhones: ValueTransformer = {
  to: (v: unknown) => (v === null || v === undefined ? v : mapPhones(v, sealPhone)),
  from: (v: unknown) => (v === null || v === undefined ? v : mapPhones(v, unsealPhone)),
};
