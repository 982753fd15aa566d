/** For the TypeORM CLI only (migration:generate / migration:run). */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../common/config/app-config';
import { installPii } from '../common/crypto/pii';
import { dataSourceOptions } from './data-source-options';

const config = loadConfig();
// the personal-data migration encrypts with these keys
installPii(config.pii);
export default new DataSource({ ...dataSourceOptions(config.database), migrationsRun: false });
