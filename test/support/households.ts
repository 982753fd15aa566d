/** Fresh households for specs that need more than the seeded ones. */
import { checkCharacter } from '../../src/common/domain/id-number';
import type { TestEnv } from './harness';
import { expectOk, HUOZHUANG, VILLAGE } from './flows';

let counter = 0;

/** A valid 居民身份证号 of 建安区, unique within this process. */
export function freshIdNumber(birthDate = '1970-05-06', gender: 'male' | 'female' = 'male'): string {
  counter++;
  const seq = (process.pid * 7 + counter * 2 + Date.now()) % 499;
  const order = seq * 2 + (gender === 'male' ? 1 : 0);
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

export async function newHousehold(env: TestEnv, opts: { user?: string; areaCode?: string; name?: string } = {}): Promise<string> {
  const name = opts.name ?? `测试户${++counter}`;
  const birthDate = `19${50 + (counter % 40)}-0${1 + (counter % 9)}-1${counter % 10}`;
  const res = await env
    .http()
    .post('/households')
    .set('Authorization', `Bearer ${await env.token(opts.user ?? VILLAGE)}`)
    .send({
      areaCode: opts.areaCode ?? HUOZHUANG,
      householderName: name,
      address: '许昌市建安区灵井镇霍庄村五组',
      isFormerlyPoor: false,
      members: [
        { name, idNumber: freshIdNumber(birthDate), relation: '户主', gender: 'male', birthDate, laborAbility: 'weak', employment: 'local' },
      ],
    });
  return (await expectOk(res, 201)).id;
}
