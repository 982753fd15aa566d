import 'reflect-metadata';
import cluster from 'node:cluster';
import { createApp } from './bootstrap';
import { type AppConfig, ConfigError, loadConfig } from './common/config/app-config';

/**
 * `npm start`. On PostgreSQL, a Node cluster of `WEB_CONCURRENCY` workers (default: the
 * machine's cores) sharing the port: the first worker starts alone (it runs the migrations),
 * the others once it listens; a worker that dies is replaced. The embedded SQLite default is
 * one process (one connection, in-process timers).
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const workers = config.database.kind === 'postgres' ? config.webConcurrency : 1;
  if (workers > 1 && cluster.isPrimary) return supervise(workers);
  const app = await createApp(config);
  await app.listen(config.port);
}

function supervise(workers: number): void {
  let stopping = false;
  const log = (msg: string) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, msg })}\n`);
  const fork = () => cluster.fork();
  const first = fork();
  first.once('listening', () => {
    for (let i = 1; i < workers; i++) fork();
    log(`cluster of ${workers} workers listening`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (!Object.keys(cluster.workers ?? {}).length) process.exit(0);
      return;
    }
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    if (worker === first && !worker.isConnected() && code !== 0 && Object.keys(cluster.workers ?? {}).length === 0) {
      // the first worker failed to start (bad configuration, database down): don't loop forever
      setTimeout(fork, 2_000);
      return;
    }
    fork();
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig);
      setTimeout(() => process.exit(0), 15_000).unref();
    });
  }
}

void main();
