/**
 * C clients over a list of jobs, as the inclusion driver does for its cases: a job that waits
 * for a service timer does not hold a client, it is parked until it is due and the client
 * starts or resumes another job meanwhile (due jobs first).
 *
 * `start` and `resume` return when the job should be resumed (epoch ms), or null when it is
 * done; a job that throws is handed to `fail` and not resumed.
 */
import { RequestFailed } from './http';
import type { Recorder } from './stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface JobSteps<T> {
  start(job: T): Promise<number | null>;
  resume(job: T): Promise<number | null>;
  /** called with the error of a job that threw; the job is dropped */
  fail(job: T, message: string): void;
  describe(job: T): string;
}

export interface ParkingResult {
  startedAt: number;
  endedAt: number;
  maxParked: number;
}

export class ParkingDriver<T> {
  private readonly parked: Array<{ job: T; dueAt: number }> = [];
  private next = 0;
  private maxParked = 0;

  constructor(
    private readonly concurrency: number,
    private readonly stop: AbortSignal,
    private readonly recorder: Recorder,
    private readonly steps: JobSteps<T>,
  ) {}

  async drive(jobs: T[]): Promise<ParkingResult> {
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.concurrency, jobs.length)) }, () => this.client(jobs)));
    return { startedAt, endedAt: Date.now(), maxParked: this.maxParked };
  }

  private async client(jobs: T[]): Promise<void> {
    // bounded: every iteration finishes a step of a job or sleeps (≤ 50 ms) until a parked job is due;
    // every parked job has a deadline enforced by its resume step, and the run has a global timeout
    while (!this.stop.aborted) {
      const due = this.takeDue(Date.now());
      if (due !== null) {
        await this.guard(due, () => this.steps.resume(due));
        continue;
      }
      if (this.next < jobs.length) {
        const job = jobs[this.next++];
        await this.guard(job, () => this.steps.start(job));
        continue;
      }
      if (this.parked.length === 0) return;
      const wait = Math.min(...this.parked.map((p) => p.dueAt)) - Date.now();
      await sleep(Math.max(5, Math.min(wait, 50)));
    }
  }

  private async guard(job: T, step: () => Promise<number | null>): Promise<void> {
    try {
      const dueAt = await step();
      if (dueAt !== null) {
        this.parked.push({ job, dueAt });
        this.maxParked = Math.max(this.maxParked, this.parked.length);
      }
    } catch (err) {
      const message = err instanceof RequestFailed ? err.message : String((err as Error)?.stack ?? err);
      if (!(err instanceof RequestFailed) && !(err instanceof CheckFailed)) {
        this.recorder.error({ label: 'bench', status: 'bench-error', request: this.steps.describe(job), response: message });
      }
      this.steps.fail(job, message);
    }
  }

  private takeDue(now: number): T | null {
    let best = -1;
    for (let i = 0; i < this.parked.length; i++) {
      if (this.parked[i].dueAt <= now && (best < 0 || this.parked[i].dueAt < this.parked[best].dueAt)) best = i;
    }
    return best < 0 ? null : this.parked.splice(best, 1)[0].job;
  }
}

/** A failure the bench found in a response and already recorded as an error. */
export class CheckFailed extends Error {}
