/**
 * Memory and CPU from /proc (Linux): the service's VmRSS/VmHWM, and CPU per process group
 * (service, PostgreSQL, Redis, the bench itself, whole machine) sampled at a fixed interval.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* the usual Linux value */
}

/** VmRSS and VmHWM of a process in kB, or null when it is gone. */
export function memoryOf(pid: number | 'self'): { rssKb: number; hwmKb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * The service's memory as one figure: a cluster's primary and workers together (VmRSS summed),
 * and the largest VmHWM of any one of them.
 */
export function treeMemoryOf(pid: number): { rssKb: number; hwmKb: number; processes: number } | null {
  const own = memoryOf(pid);
  if (!own) return null;
  let rssKb = own.rssKb;
  let hwmKb = own.hwmKb;
  let processes = 1;
  for (const child of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    if (statOf(child)?.ppid !== pid) continue;
    const m = memoryOf(child);
    if (!m) continue;
    rssKb += m.rssKb;
    hwmKb = Math.max(hwmKb, m.hwmKb);
    processes += 1;
  }
  return { rssKb, hwmKb, processes };
}

/** comm, parent pid and utime+stime (clock ticks) of one process. */
export function statOf(pid: number): { comm: string; ppid: number; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15
    return { comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function systemTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: total - idle, total };
}

export type Group = 'service' | 'postgres' | 'redis' | 'bench';

export interface CpuSample {
  at: number;
  /** percent of one core, per group, over the interval before `at` */
  pct: Record<Group, number>;
  /** whole machine, percent of all cores busy */
  systemBusyPct: number;
  /** busy time not accounted to the groups (other processes, kernel), percent of one core */
  otherPct: number;
  /** the service's processes together (the cluster's primary and workers) */
  serviceRssKb: number | null;
}

export class Sampler {
  readonly samples: CpuSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private prevTicks = new Map<number, number>();
  private prevSystem = systemTicks();
  private prevAt = performance.now();
  peakServiceRssKb = 0;

  constructor(
    private readonly servicePid: () => number | null,
    private readonly intervalMs = 500,
    /**
     * PostgreSQL's processes are those of one server only when its postmaster's pid is given
     * (bench:ab runs a server of its own: the machine's shared server also serves other work)
     */
    private readonly postmasterPid: number | null = null,
  ) {}

  /** the service and its cluster workers (children of the service process) */
  private group(pid: number, ppid: number, comm: string): Group | null {
    const svc = this.servicePid();
    if (pid === svc || (svc !== null && ppid === svc)) return 'service';
    if (pid === process.pid) return 'bench';
    if (comm === 'postgres' || comm.startsWith('postgres')) {
      if (this.postmasterPid !== null && pid !== this.postmasterPid && ppid !== this.postmasterPid) return null;
      return 'postgres';
    }
    if (comm.startsWith('redis-server')) return 'redis';
    return null;
  }

  start(): void {
    this.sample(false);
    this.timer = setInterval(() => this.sample(true), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private sample(record: boolean): void {
    const now = performance.now();
    const seconds = (now - this.prevAt) / 1000;
    const pct: Record<Group, number> = { service: 0, postgres: 0, redis: 0, bench: 0 };
    let serviceRssKb = 0;
    const ticks = new Map<number, number>();
    let pids: number[] = [];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
    } catch {
      return;
    }
    for (const pid of pids) {
      const st = statOf(pid);
      if (!st) continue;
      const g = this.group(pid, st.ppid, st.comm);
      if (!g) continue;
      if (g === 'service') serviceRssKb += memoryOf(pid)?.rssKb ?? 0;
      ticks.set(pid, st.ticks);
      // a process born during the interval counts from zero
      const delta = st.ticks - (this.prevTicks.get(pid) ?? (this.prevTicks.size ? 0 : st.ticks));
      pct[g] += (delta / clkTck / seconds) * 100;
    }
    const sys = systemTicks();
    const busyPct = ((sys.busy - this.prevSystem.busy) / Math.max(1, sys.total - this.prevSystem.total)) * 100;
    this.peakServiceRssKb = Math.max(this.peakServiceRssKb, serviceRssKb);
    if (record && seconds > 0.05) {
      const ours = pct.service + pct.postgres + pct.redis + pct.bench;
      const otherPct = Math.max(0, busyPct * cpus().length - ours);
      this.samples.push({ at: Date.now(), pct, systemBusyPct: busyPct, otherPct, serviceRssKb: serviceRssKb || null });
    }
    this.prevTicks = ticks;
    this.prevSystem = sys;
    this.prevAt = now;
  }

  /** mean and max CPU per group over the samples taken in [from, to] (epoch ms) */
  window(from: number, to: number) {
    const inside = this.samples.filter((s) => s.at >= from && s.at <= to + this.intervalMs);
    const agg = (pick: (s: CpuSample) => number) => {
      if (!inside.length) return { mean: null, max: null };
      const v = inside.map(pick);
      return { mean: Math.round(v.reduce((a, b) => a + b, 0) / v.length), max: Math.round(Math.max(...v)) };
    };
    return {
      samples: inside.length,
      servicePct: agg((s) => s.pct.service),
      postgresPct: agg((s) => s.pct.postgres),
      redisPct: agg((s) => s.pct.redis),
      benchPct: agg((s) => s.pct.bench),
      otherPct: agg((s) => s.otherPct),
      systemBusyPct: agg((s) => s.systemBusyPct),
    };
  }
}
