import 'reflect-metadata';
import cluster from 'node:cluster';
import { type AppConfig, ConfigError, loadConfig } from './common/config/app-config';

/**
 * `npm start`. On PostgreSQL, a Node cluster of `WEB_CONCURRENCY` workers (default: the
 * machine's cores; one is a cluster too) sharing the port: the first worker starts alone (it
 * runs the migrations), the others once it listens; a worker that dies is replaced; each worker's
 * old space is limited to `WORKER_HEAP_MB`, so V8 collects its garbage instead of growing the
 * heap under load. The primary only supervises (it never loads the application). The embedded
 * SQLite default is one process (one connection, in-process timers).
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
  if (config.database.kind === 'postgres' && cluster.isPrimary) return supervise(config.webConcurrency, config.workerHeapMb);
  // loaded here, not at the top: the cluster's primary never needs the application
  const { createApp } = await import('./bootstrap');
  const app = await createApp(config);
  await app.listen(config.port);
}

function supervise(workers: number, heapMb: number): void {
  let stopping = false;
  // a limit given on the command line (node --max-old-space-size=…) wins
  const given = process.execArgv.some((a) => a.startsWith('--max-old-space-size'));
  cluster.setupPrimary({ execArgv: given ? process.execArgv : [...process.execArgv, `--max-old-space-size=${heapMb}`] });
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
