import { Logger } from '@nestjs/common';
import { InProcessJobQueue } from './in-process-job-queue';
import type { JobContext } from './job-queue';
import { WEBHOOK_QUEUE } from './queue-names';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('in-process job queue (the embedded default)', () => {
  let q: InProcessJobQueue;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (q = new InProcessJobQueue()));
  afterEach(() => q.onModuleDestroy());

  it('retries a failing job with exponential back-off and tells the handler its last attempt', async () => {
    const calls: Array<{ at: number; ctx: JobContext }> = [];
    const start = Date.now();
    q.process(WEBHOOK_QUEUE, 1, async (_data, ctx) => {
      calls.push({ at: Date.now() - start, ctx });
      throw new Error('receiver down');
    });
    await q.ensure(WEBHOOK_QUEUE, {}, { jobId: 'd1', attempts: 3, backoffMs: 40 });
    await sleep(400);
    expect(calls.map((c) => c.ctx)).toEqual([
      { attempt: 1, lastAttempt: false },
      { attempt: 2, lastAttempt: false },
      { attempt: 3, lastAttempt: true },
    ]);
    // 40 ms, then 120 ms: (2^n − 1) × base, as Bull does
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(calls[1].at - calls[0].at);
  });

  it('adds nothing while a job with the same id is waiting or running; adds it again once it is done', async () => {
    let runs = 0;
    q.process(WEBHOOK_QUEUE, 1, async () => {
      runs++;
      await sleep(30);
    });
    await Promise.all([1, 2, 3].map(() => q.ensure(WEBHOOK_QUEUE, {}, { jobId: 'same', delayMs: 10 })));
    await sleep(20);
    await q.ensure(WEBHOOK_QUEUE, {}, { jobId: 'same' });
    await sleep(80);
    expect(runs).toBe(1);
    await q.ensure(WEBHOOK_QUEUE, {}, { jobId: 'same' });
    await sleep(60);
    expect(runs).toBe(2);
  });

  it('runs at most `concurrency` jobs of a queue at once', async () => {
    let running = 0;
    let peak = 0;
    q.process(WEBHOOK_QUEUE, 2, async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(20);
      running--;
    });
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => q.ensure(WEBHOOK_QUEUE, {}, { jobId: `j${i}` })));
    await sleep(150);
    expect(peak).toBe(2);
    expect(running).toBe(0);
  });

  it('a job waits for its delay', async () => {
    let ranAt = 0;
    const start = Date.now();
    q.process(WEBHOOK_QUEUE, 1, async () => {
      ranAt = Date.now() - start;
    });
    await q.ensure(WEBHOOK_QUEUE, {}, { jobId: 'later', delayMs: 80 });
    await sleep(40);
    expect(ranAt).toBe(0);
    await sleep(100);
    expect(ranAt).toBeGreaterThanOrEqual(75);
  });
});
