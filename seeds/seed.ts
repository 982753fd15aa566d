import { DataSource, type EntityManager } from 'typeorm';
import { hashPassword } from '../src/common/auth/password';
import { piiHash } from '../src/common/crypto/pii';
import { parentOf } from '../src/common/domain/area';
import {
  AreaEntity,
  HouseholdEntity,
  HouseholdMemberEntity,
  PolicyVersionEntity,
  UserEntity,
} from '../src/database/entities';
import { appendLedger, ledgerRecord } from '../src/modules/audit/record-ledger';
import { appendPolicyLedger, lockPolicyWrites, SYSTEM_ACTOR } from '../src/modules/policies/policy-ledger';
import { AREAS, DEMO_PASSWORD, demoIdNumber, HOUSEHOLDS, POLICY_OVERRIDES, USERS } from './demo-data';

/**
 * How the seed runs its transaction. With the service booted, pass its UnitOfWork's: on SQLite
 * (one connection) that serialises the seed with the service's own background transactions,
 * which a transaction of the DataSource's would interleave with.
 */
export type Transaction = <T>(work: (em: EntityManager) => Promise<T>) => Promise<T>;

export interface SeedReport {
  areas: number;
  users: number;
  households: number;
  policies: number;
}

/**
 * Idempotent: every record is looked up by its natural key first and inserted only when
 * missing, so seeding twice changes nothing. Needs a migrated database (the service's own
 * start creates the bootstrap admin and the national default policy).
 */
export async function seed(ds: DataSource, transaction: Transaction = (work) => ds.transaction(work)): Promise<SeedReport> {
  const report: SeedReport = { areas: 0, users: 0, households: 0, policies: 0 };
  const now = new Date();
  await transaction(async (em) => {
    for (const a of AREAS) {
      if (await em.existsBy(AreaEntity, { code: a.code })) continue;
      await em.insert(AreaEntity, { ...a, parentCode: parentOf(a.code), createdAt: now });
      report.areas++;
    }
    const hash = await hashPassword(DEMO_PASSWORD);
    for (const u of USERS) {
      if (await em.existsBy(UserEntity, { username: u.username })) continue;
      const user = await em.save(em.create(UserEntity, {
        username: u.username,
        passwordHash: hash,
        displayName: u.displayName,
        role: u.role,
        areaCode: u.areaCode,
        sector: u.sector ?? null,
        disabled: false,
        createdAt: now,
        updatedAt: now,
      }));
      // an account enters the record ledger whoever creates it (issue 12)
      await appendLedger(em, { kind: 'users', subjectId: user.id, areaCode: user.areaCode, recordId: user.id, op: 'create', record: ledgerRecord.users(user), actorId: null, at: now });
      report.users++;
    }
    let seq = 100;
    for (const h of HOUSEHOLDS) {
      const members = h.members.map((m) => ({ ...m, idNumber: demoIdNumber(m.birthDate, seq++, m.gender) }));
      if (await em.existsBy(HouseholdMemberEntity, { idNumberHash: piiHash(members[0].idNumber) })) continue;
      const household = await em.save(
        em.create(HouseholdEntity, {
          areaCode: h.areaCode,
          householderName: h.householderName,
          address: h.address,
          isFormerlyPoor: h.isFormerlyPoor,
          createdById: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await em.save(
        members.map((m, position) =>
          em.create(HouseholdMemberEntity, {
            householdId: household.id,
            position,
            name: m.name,
            idNumber: m.idNumber,
            idNumberHash: piiHash(m.idNumber),
            relation: m.relation,
            gender: m.gender,
            birthDate: m.birthDate,
            laborAbility: m.laborAbility,
            disability: m.disability ?? null,
            employment: m.employment,
            phone: m.phone ?? null,
          }),
        ),
      );
      report.households++;
    }
    await lockPolicyWrites(em);
    for (const p of POLICY_OVERRIDES) {
      if (await em.existsBy(PolicyVersionEntity, { areaCode: p.areaCode })) continue;
      const row = await em.save(
        em.create(PolicyVersionEntity, {
          areaCode: p.areaCode,
          version: 1,
          effectiveFrom: new Date(p.effectiveFrom),
          values: p.values,
          createdById: null,
          createdAt: now,
        }),
      );
      // every policy version is an entry of the policy ledger (issue 12); the demo values lie inside the national bounds
      await appendPolicyLedger(em, {
        kind: 'version',
        areaCode: row.areaCode,
        version: row.version,
        policyVersionId: row.id,
        effectiveFrom: row.effectiveFrom,
        actor: SYSTEM_ACTOR,
        reason: '演示数据：河南省监测收入标准（npm run seed）',
        before: null,
        after: { effectiveFrom: row.effectiveFrom.toISOString(), values: row.values },
      });
      report.policies++;
    }
  });
  return report;
}
