import { GENESIS_HASH, verifyLinkedChain } from '../../common/audit/audit-hash';
import { PolicyVersionEntity } from '../../database/entities';
import { liveVersions } from './policies.service';
import { type HashedLedgerFields, hashedFieldsOf, ledgerHash, PolicyLedgerEntryEntity } from './policy-ledger';

function entry(seq: number, prevHash: string, over: Partial<PolicyLedgerEntryEntity> = {}): PolicyLedgerEntryEntity {
  const e = Object.assign(new PolicyLedgerEntryEntity(), {
    seq,
    kind: 'version',
    areaCode: '411003000000',
    version: seq,
    policyVersionId: `v${seq}`,
    effectiveFrom: new Date(`2026-0${seq}-01T00:00:00.000Z`),
    actorId: 'u1',
    actorUsername: 'admin',
    actorRole: 'admin',
    at: new Date(`2026-0${seq}-01T08:00:00.000Z`),
    reason: seq === 2 ? '省里调整公示期' : null,
    before: seq === 1 ? null : { values: { 'inclusion.noticePeriod': 'P5D' } },
    after: { values: { 'inclusion.noticePeriod': seq === 1 ? 'P5D' : 'P7D' } },
    prevHash,
    ...over,
  });
  e.hash = ledgerHash(hashedFieldsOf(e));
  return e;
}

function chain(n: number): PolicyLedgerEntryEntity[] {
  const out: PolicyLedgerEntryEntity[] = [];
  for (let seq = 1; seq <= n; seq++) out.push(entry(seq, out.at(-1)?.hash ?? GENESIS_HASH));
  return out;
}

const check = (entries: PolicyLedgerEntryEntity[]) =>
  verifyLinkedChain<HashedLedgerFields>(entries.map((e) => ({ ...hashedFieldsOf(e), hash: e.hash })), ledgerHash);

describe('issue 12: the policy ledger chain', () => {
  it('verifies an intact chain', () => {
    expect(check(chain(3))).toEqual({ valid: true, entries: 3 });
    expect(check([])).toEqual({ valid: true, entries: 0 });
  });

  it.each([
    ['the values after', (e: PolicyLedgerEntryEntity) => { e.after = { values: { 'inclusion.noticePeriod': 'PT1S' } }; }],
    ['the values before', (e: PolicyLedgerEntryEntity) => { e.before = null; }],
    ['the reason', (e: PolicyLedgerEntryEntity) => { e.reason = '事后补写的理由'; }],
    ['the actor', (e: PolicyLedgerEntryEntity) => { e.actorUsername = 'someone_else'; }],
    ['the time', (e: PolicyLedgerEntryEntity) => { e.at = new Date(e.at.getTime() + 1); }],
    ['the effective date', (e: PolicyLedgerEntryEntity) => { e.effectiveFrom = new Date('2020-01-01T00:00:00.000Z'); }],
    ['the kind', (e: PolicyLedgerEntryEntity) => { e.kind = 'bounds'; }],
  ])('breaks at the entry whose %s was changed', (_label, tamper) => {
    const entries = chain(3);
    tamper(entries[1]);
    expect(check(entries)).toEqual({ valid: false, brokenAt: 2, entries: 3 });
  });

  it('breaks where an entry was removed, and where a rehashed entry no longer links', () => {
    const entries = chain(3);
    expect(check([entries[0], entries[2]])).toMatchObject({ valid: false, brokenAt: 3 });
    const rehashed = entries.map((e) => Object.assign(new PolicyLedgerEntryEntity(), e));
    rehashed[1].after = { values: { 'inclusion.noticePeriod': 'PT1S' } };
    rehashed[1].hash = ledgerHash(hashedFieldsOf(rehashed[1]));
    expect(check(rehashed)).toMatchObject({ valid: false, brokenAt: 3 });
  });
});

describe('liveVersions: the versions a bound change must respect', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const v = (areaCode: string, version: number, from: string) =>
    Object.assign(new PolicyVersionEntity(), { id: `${areaCode}#${version}`, areaCode, version, effectiveFrom: new Date(from), values: {} });
  const ids = (rows: PolicyVersionEntity[]) => rows.map((r) => r.id).sort();

  it('keeps the version in force now and the later-dated ones; drops the superseded', () => {
    const rows = [
      v('A', 1, '2020-01-01T00:00:00Z'),
      v('A', 2, '2026-01-01T00:00:00Z'),
      v('A', 3, '2027-01-01T00:00:00Z'),
      v('B', 1, '2025-01-01T00:00:00Z'),
    ];
    expect(ids(liveVersions(rows, now))).toEqual(['A#2', 'A#3', 'B#1']);
  });

  it('drops a later-dated version that a higher version dated before it replaces', () => {
    const rows = [v('A', 1, '2026-01-01T00:00:00Z'), v('A', 2, '2027-06-01T00:00:00Z'), v('A', 3, '2027-01-01T00:00:00Z')];
    expect(ids(liveVersions(rows, now))).toEqual(['A#1', 'A#3']);
  });
});
