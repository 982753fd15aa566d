import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import * as admin from '../../modules/admin/admin.dto';
import * as audit from '../../modules/audit/audit.dto';
import * as auth from '../../modules/auth/auth.dto';
import * as cases from '../../modules/engine/cases.dto';
import * as households from '../../modules/households/households.dto';
import * as inspectionTexts from '../../modules/inspection-texts/inspection-texts.dto';
import * as inclusion from '../../modules/monitoring-inclusion/monitoring-inclusion.dto';
import * as notifications from '../../modules/notifications/notifications.dto';
import * as policies from '../../modules/policies/policies.dto';
import * as projects from '../../modules/project-intake/project-intake.dto';
import * as elimination from '../../modules/risk-elimination/risk-elimination.dto';
import * as posts from '../../modules/welfare-posts/welfare-posts.dto';
import { fieldsOf } from './validation';
import { chineseMessage } from './validation-messages';

const CJK = /[\u4e00-\u9fff]/;
const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** Every class of the DTO modules that class-validator knows about. */
function dtoClasses(): Array<new () => object> {
  const modules = [admin, audit, auth, cases, households, inspectionTexts, inclusion, notifications, policies, projects, elimination, posts];
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, unknown[]> | Array<{ target: Function }> };
  const known = new Set<Function>(
    storage.validationMetadatas instanceof Map
      ? [...storage.validationMetadatas.keys()]
      : (storage.validationMetadatas as Array<{ target: Function }>).map((m) => m.target),
  );
  return modules.flatMap((m) => Object.values(m)).filter((v): v is new () => object => typeof v === 'function' && known.has(v));
}

function propertiesOf(cls: Function): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

// (keys named like Object.prototype members never get this far: json-shape.ts refuses them)
const WRONG: unknown[] = [{}, [], 'x', -1, 1e12, true, null, 'a'.repeat(5000), [{}], [1, 'x']];

describe('issue 11: every validation message is Chinese, whatever the DTO and the mistake', () => {
  const classes = dtoClasses();

  it('finds the DTOs', () => {
    expect(classes.length).toBeGreaterThan(25);
  });

  it.each(classes.map((c) => [c.name, c]))('%s: missing, wrong-typed and unknown fields', (_name, cls) => {
    const bodies: Array<Record<string, unknown>> = [{}, { notAField: 1 }];
    for (const p of propertiesOf(cls as Function)) for (const w of WRONG) bodies.push({ [p]: w });
    let checked = 0;
    for (const body of bodies) {
      const errors = validateSync(plainToInstance(cls as new () => object, body), OPTIONS);
      for (const [field, message] of Object.entries(fieldsOf(errors))) {
        checked++;
        if (!CJK.test(message)) throw new Error(`${(cls as Function).name}.${field} ← ${JSON.stringify(body).slice(0, 80)}: "${message}"`);
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('translates class-validator defaults with their numbers', () => {
    expect(chineseMessage('minLength', 'riskDescription must be longer than or equal to 4 characters')).toBe('长度至少为 4 个字符');
    expect(chineseMessage('min', 'version must not be less than 1')).toBe('不能小于 1');
    expect(chineseMessage('maxLength', 'fundSource must be shorter than or equal to 200 characters')).toBe('长度不能超过 200 个字符');
    expect(chineseMessage('isIn', 'role must be one of the following values: village, township')).toBe('取值应为：village, township');
    expect(chineseMessage('somethingNew', 'x must be fine')).toBe('不符合要求');
    expect(chineseMessage('isString', '应为文本（自定义）')).toBe('应为文本（自定义）');
  });
});
