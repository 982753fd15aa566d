/**
 * `npm run pii:rotate` (issue 11): re-encrypts every ID number and phone written under an older
 * key id with the current key (the first of PII_KEYS). Safe while the service runs: chunks of
 * 1,000 rows, each in its own transaction, and every listed key still decrypts. Afterwards an
 * old key can be dropped from PII_KEYS. The HMAC key (PII_HMAC_KEY) is not rotated by this.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from './common/config/app-config';
import { installPii } from './common/crypto/pii';
import { dataSourceOptions } from './database/data-source-options';
import { rotateWithDataSource } from './modules/admin/pii-rotation.service';

async function main(): Promise<void> {
  const config = loadConfig();
  installPii(config.pii);
  const ds = await new DataSource(dataSourceOptions(config.database)).initialize();
  try {
    const report = await rotateWithDataSource(ds);
    console.log(JSON.stringify(report));
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? `配置错误: ${e.message}` : e);
  process.exit(1);
});
