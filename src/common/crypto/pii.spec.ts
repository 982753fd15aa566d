import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/app-config';
import { installPii, newPiiKey, parseHmacKey, parsePiiKeys, PiiCipher, PiiError, sealedPhones } from './pii';

const k1 = { id: 'k1', key: Buffer.alloc(32, 1) };
const k2 = { id: 'k2', key: Buffer.alloc(32, 7) };
const hmacKey = Buffer.alloc(32, 2);
const ID = '411003199001011234';

describe('PII cipher (issue 11)', () => {
  it('PII: round trip; the stored form is v1:<keyId>:<iv>:<tag>:<ct> and never holds the clear value', () => {
    const c = new PiiCipher({ keys: [k1], hmacKey });
    const stored = c.encrypt(ID);
    expect(stored).toMatch(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(ID);
    expect(stored).not.toContain('1234');
    expect(c.decrypt(stored)).toBe(ID);
    expect(c.decrypt(c.encrypt(''))).toBe('');
    expect(c.decrypt(c.encrypt('张三 13800138000'))).toBe('张三 13800138000');
  });

  it('PII: a random IV per value: the same clear text gives different ciphertexts', () => {
    const c = new PiiCipher({ keys: [k1], hmacKey });
    expect(c.encrypt(ID)).not.toBe(c.encrypt(ID));
    // across refills of the IV pool: no IV is ever used twice
    const ivs = new Set(Array.from({ length: 3000 }, () => c.encrypt(ID).split(':')[2]));
    expect(ivs.size).toBe(3000);
  });

  it('PII: a tampered ciphertext, tag or IV is refused with an error, never returned', () => {
    const c = new PiiCipher({ keys: [k1], hmacKey });
    const [v, id, iv, tag, ct] = c.encrypt(ID).split(':');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(() => c.decrypt([v, id, iv, tag, flip(ct)].join(':'))).toThrow(PiiError);
    expect(() => c.decrypt([v, id, iv, flip(tag), ct].join(':'))).toThrow(PiiError);
    expect(() => c.decrypt([v, id, flip(iv), tag, ct].join(':'))).toThrow(PiiError);
    expect(() => c.decrypt(ID)).toThrow(/not in the v1 ciphertext format/);
  });

  it('PII: a value under an unknown key id is an error; the same id with another key fails authentication', () => {
    const a = new PiiCipher({ keys: [k1], hmacKey });
    const b = new PiiCipher({ keys: [k2], hmacKey });
    expect(() => a.decrypt(b.encrypt(ID))).toThrow(/key "k2", which is not configured/);
    const impostor = new PiiCipher({ keys: [{ id: 'k1', key: k2.key }], hmacKey });
    expect(() => impostor.decrypt(a.encrypt(ID))).toThrow(/failed authentication/);
  });

  it('PII: rotation: the first key writes, every listed key reads, rotate() re-encrypts old values only', () => {
    const old = new PiiCipher({ keys: [k1], hmacKey });
    const before = old.encrypt(ID);
    const now = new PiiCipher({ keys: [k2, k1], hmacKey });
    expect(now.currentKeyId).toBe('k2');
    expect(now.decrypt(before)).toBe(ID);
    const rotated = now.rotate(before)!;
    expect(now.keyIdOf(rotated)).toBe('k2');
    expect(now.decrypt(rotated)).toBe(ID);
    expect(now.rotate(rotated)).toBeNull();
    // after dropping k1, the rotated value still reads
    expect(new PiiCipher({ keys: [k2], hmacKey }).decrypt(rotated)).toBe(ID);
  });

  it('PII: the keyed hash is stable, differs per HMAC key and does not depend on the data key', () => {
    const a = new PiiCipher({ keys: [k1], hmacKey });
    const b = new PiiCipher({ keys: [k2], hmacKey });
    expect(a.hash(ID)).toBe(b.hash(ID));
    expect(a.hash(ID)).toHaveLength(43);
    expect(a.hash(ID)).not.toBe(a.hash('411003199001011235'));
    expect(new PiiCipher({ keys: [k1], hmacKey: Buffer.alloc(32, 3) }).hash(ID)).not.toBe(a.hash(ID));
  });

  it('PII: PII_KEYS and PII_HMAC_KEY are parsed strictly', () => {
    const key = newPiiKey();
    expect(parsePiiKeys(`k2:${key}, k1:${newPiiKey()}`).map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(() => parsePiiKeys('')).toThrow(PiiError);
    expect(() => parsePiiKeys(key)).toThrow(/keyId/);
    expect(() => parsePiiKeys('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parsePiiKeys(`k1:${key},k1:${key}`)).toThrow(/twice/);
    expect(() => parseHmacKey('c2hvcnQ=')).toThrow(/at least 32 bytes/);
    expect(parseHmacKey(key)).toHaveLength(32);
  });
});

describe('PII keys in the configuration (issue 11)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pii-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('PII: outside production the keys are generated once into $DATA_DIR/pii-keys (mode 600) and kept', () => {
    const first = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
    const file = join(dir, 'pii-keys');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).keys).toMatch(/^k1:/);
    const again = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir });
    expect(again.pii.keys[0].key.equals(first.pii.keys[0].key)).toBe(true);
    expect(again.pii.hmacKey.equals(first.pii.hmacKey)).toBe(true);
  });

  it('PII: with NODE_ENV=production the service refuses to start without PII_KEYS and PII_HMAC_KEY, or with bad ones', () => {
    const base = { NODE_ENV: 'production', DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40), BOOTSTRAP_ADMIN_USERNAME: 'root', BOOTSTRAP_ADMIN_PASSWORD: 'Zq8#long-enough-Pass' };
    expect(() => loadConfig(base)).toThrow(/PII_KEYS and PII_HMAC_KEY are required/);
    expect(() => loadConfig({ ...base, PII_KEYS: `k1:${newPiiKey()}` })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PII_KEYS: 'k1:short', PII_HMAC_KEY: newPiiKey() })).toThrow(/32 bytes/);
    const ok = loadConfig({ ...base, PII_KEYS: `k2:${newPiiKey()},k1:${newPiiKey()}`, PII_HMAC_KEY: newPiiKey() });
    expect(ok.pii.keys.map((k) => k.id)).toEqual(['k2', 'k1']);
  });
});

describe('phones inside JSON (issue 19)', () => {
  beforeAll(() => installPii({ keys: [k1], hmacKey }));
  const to = (v: unknown) => sealedPhones.to(v) as any;
  const from = (v: unknown) => sealedPhones.from(v) as any;

  it('trust: SF-03 every phone key, wherever nested, is sealed; nothing else is touched; the original is not changed', () => {
    const data = { assistanceContact: { name: '孙立新', unit: '建安区乡村振兴局', phone: '13903740000' }, list: [{ contactPhone: '0374-6123456' }], note: 'phone 13903740000', phones: ['13900000000'] };
    const sealed = to(data);
    expect(sealed.assistanceContact.phone).toMatch(/^v1:k1:/);
    expect(sealed.list[0].contactPhone).toMatch(/^v1:k1:/);
    expect(sealed.assistanceContact.name).toBe('孙立新');
    // only keys that name a phone: free text and other keys stay as they are
    expect(sealed.note).toBe('phone 13903740000');
    expect(sealed.phones).toEqual(['13900000000']);
    expect(data.assistanceContact.phone).toBe('13903740000');
    expect(from(JSON.parse(JSON.stringify(sealed)))).toEqual(data);
  });

  it('trust: sealing twice seals once (the batch writer converts a value twice); a clear value stored before reads as it is', () => {
    const once = to({ phone: '13903740000' });
    expect(to(once)).toEqual(once);
    expect(from({ phone: '13903740000', x: null })).toEqual({ phone: '13903740000', x: null });
    expect(to(null)).toBeNull();
    expect(from(undefined)).toBeUndefined();
  });

  it('trust: a sealed phone altered in storage is an error, never garbage', () => {
    const sealed = to({ phone: '13903740000' });
    const parts = sealed.phone.split(':');
    parts[4] = parts[4].startsWith('A') ? `B${parts[4].slice(1)}` : `A${parts[4].slice(1)}`;
    expect(() => from({ phone: parts.join(':') })).toThrow(PiiError);
  });
});
