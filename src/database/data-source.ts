/** For the TypeORM CLI only (migration:generate / migration:run). */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../common/config/app-config';
import { dataSourceOptions } from './data-source-options';

export default new DataSource({ ...dataSourceOptions(loadConfig().database), migrationsRun: false });
