import { loadConfig, ConfigError } from '../config/app-config';
import { passwordProblem } from './password-policy';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('password policy (issue 11)', () => {
  it.each([
    ['short1!', 'someone', '至少 8 位'],
    ['zhangsan2026!', 'zhangsan', '用户名'],
    ['ZhangSan#2026', 'zhangsan', '用户名'],
    ['12345678', 'someone', '常见'],
    ['Password123', 'someone', '常见'],
    ['woaini1314', 'someone', '常见'],
    ['aaaaaaaaab', 'someone', '简单'],
  ])('refuses %s for %s', (password, username, reason) => {
    expect(passwordProblem(password, username)).toContain(reason);
  });

  it('accepts a reasonable password, and the demo ones outside production only', () => {
    expect(passwordProblem('Huozhuang#2026', 'v_huozhuang_new')).toBeNull();
    expect(passwordProblem('Demo@2026', 'v_huozhuang')).toBeNull();
    expect(passwordProblem('Demo@2026', 'v_huozhuang', { production: true })).toContain('演示密码');
  });

  it('NODE_ENV=production refuses a default or weak bootstrap admin password', () => {
    const base = { NODE_ENV: 'production', DATA_DIR: mkdtempSync(join(tmpdir(), 'cfg-')), JWT_SECRET: 'x'.repeat(40), BOOTSTRAP_ADMIN_USERNAME: 'root_admin',
      // required in production since issue 11 (personal data at rest)
      PII_KEYS: 'k1:' + Buffer.alloc(32, 1).toString('base64'), PII_HMAC_KEY: Buffer.alloc(32, 2).toString('base64') };
    expect(() => loadConfig({ ...base, BOOTSTRAP_ADMIN_PASSWORD: 'Admin@2026' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, BOOTSTRAP_ADMIN_PASSWORD: 'password123' })).toThrow(/BOOTSTRAP_ADMIN_PASSWORD/);
    expect(loadConfig({ ...base, BOOTSTRAP_ADMIN_PASSWORD: 'Xuchang#Jianan-2026' }).bootstrapAdmin).toMatchObject({ username: 'root_admin' });
  });
});
