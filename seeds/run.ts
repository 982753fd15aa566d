/**
 * `npm run seed`: migrates the configured database (the embedded SQLite file by default, or
 * DATABASE_URL), lets the service create its bootstrap admin and national policy, then adds
 * the demo county. Safe to run again.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { UnitOfWork } from '../src/database/unit-of-work';
import { loadConfig } from '../src/common/config/app-config';
import { seedProjects } from './projects';
import { seedRectification } from './rectification';
import { seed } from './seed';

async function main(): Promise<void> {
  const config = { ...loadConfig(), logLevel: 'warn' };
  if (config.production) {
    // the demo county's users all share a published password: never in production
    console.error('npm run seed adds the demo county and its users (shared demo password); it refuses to run with NODE_ENV=production');
    process.exit(2);
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    // through the service's UnitOfWork: on SQLite its start-up work is serialised with the seed's transaction
    const report = await seed(app.get(DataSource), (work) => app.get(UnitOfWork).transaction(work));
    // rectification items go through the engine, as users would take them (issue 14)
    const rectification = await seedRectification(app);
    // projects in the annual plan at different stages: library rows marked as seeded demo data, then through the engine (issue 15)
    const projects = await seedProjects(app);
    console.log(`seeded: ${JSON.stringify({ ...report, rectification, projects })} (database: ${config.database.kind})`);
  } finally {
    await app.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
