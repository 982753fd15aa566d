/** Latencies per label, errors per status, and the percentiles printed at the end. */

export interface Summary {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    p50: round1(percentile(sorted, 50)),
    p99: round1(percentile(sorted, 99)),
    max: round1(sorted.length ? sorted[sorted.length - 1] : null),
    mean: round1(sorted.length ? sum / sorted.length : null),
  };
}

export interface ErrorSample {
  label: string;
  status: string;
  request: string;
  requestBody?: unknown;
  response: string;
  at: string;
}

export class Recorder {
  private readonly latencies = new Map<string, number[]>();
  readonly errorsByStatus = new Map<string, number>();
  readonly errorsByLabel = new Map<string, number>();
  readonly samples: ErrorSample[] = [];
  private static readonly MAX_SAMPLES = 20;

  ok(label: string, ms: number): void {
    let list = this.latencies.get(label);
    if (!list) this.latencies.set(label, (list = []));
    list.push(ms);
  }

  error(sample: Omit<ErrorSample, 'at'>): void {
    this.errorsByStatus.set(sample.status, (this.errorsByStatus.get(sample.status) ?? 0) + 1);
    this.errorsByLabel.set(sample.label, (this.errorsByLabel.get(sample.label) ?? 0) + 1);
    if (this.samples.length < Recorder.MAX_SAMPLES) this.samples.push({ ...sample, at: new Date().toISOString() });
  }

  count(label: string): number {
    return this.latencies.get(label)?.length ?? 0;
  }

  summary(label: string): Summary {
    return summarize(this.latencies.get(label) ?? []);
  }

  get totalErrors(): number {
    let n = 0;
    this.errorsByStatus.forEach((v) => (n += v));
    return n;
  }
}
