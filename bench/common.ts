/**
 * Helpers shared by the benchmarks: flags, percentiles, unique Redis prefixes and their cleanup,
 * child processes that are always killed (also on Ctrl-C).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The baseline's queue and the keys its processor writes (see bench/bare-worker.ts). */
export const BARE_QUEUE = 'bench';
export const bareKeys = (prefix: string) => ({
  /** hash jobId -> how many times the processor ran it */
  runs: `${prefix}:bench:runs`,
  /** hash jobId -> epoch ms when the processor finished it */
  finished: `${prefix}:bench:finished`,
});

/** `--name value` and `--flag` parsing for the few flags the benchmarks take. */
export function parseArgs(
  argv: string[],
  known: { flags: string[]; numbers: string[]; strings?: string[] },
): {
  flags: Set<string>;
  numbers: Map<string, number>;
  strings: Map<string, string>;
} {
  const flags = new Set<string>();
  const numbers = new Map<string, number>();
  const strings = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split('=', 2) : [undefined, undefined];
    if (name !== undefined && known.flags.includes(name)) {
      flags.add(name);
    } else if (name !== undefined && known.numbers.includes(name)) {
      const text = inline ?? argv[++i];
      const value = Number(text);
      if (text === undefined || !Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number, got ${text}`);
      numbers.set(name, value);
    } else if (name !== undefined && known.strings?.includes(name)) {
      const text = inline ?? argv[++i];
      if (!text) throw new Error(`--${name} needs a value`);
      strings.set(name, text);
    } else {
      const usage = [
        ...known.flags.map((f) => `--${f}`),
        ...known.numbers.map((n) => `--${n} N`),
        ...(known.strings ?? []).map((s) => `--${s} VALUE`),
      ].join(' ');
      throw new Error(`unknown argument ${arg} (usage: ${usage})`);
    }
  }
  return { flags, numbers, strings };
}

/** The median (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function latencySummary(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

export function benchPrefix(kind: string): string {
  return `lswbench-${kind}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Deletes every key under `<prefix>:`; returns how many. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** A child process in its own process group, so that it and everything it forks can be killed. */
export interface Spawned {
  child: ChildProcess;
  /** Resolves when the child has exited. */
  exited: Promise<void>;
  stderrTail(): string;
}

const spawned = new Set<Spawned>();

export function spawnGroup(args: string[], opts: { env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {}): Spawned {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => opts.onLine?.(line));
  // 'close': the process has exited and its stdout/stderr are drained (every line was seen).
  const exited = once(child, 'close').then(() => undefined);
  const entry: Spawned = { child, exited, stderrTail: () => stderr };
  spawned.add(entry);
  void exited.then(() => spawned.delete(entry));
  return entry;
}

/** Runs `lstm-sweep <argv>` (the built CLI) to completion; its stdout, or an error with its stderr. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`lstm-sweep ${argv[0]} exited ${code}: ${err}`))));
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Stops children: SIGTERM to each process (graceful), then after `graceMs` SIGKILL to each
 * process group (catches forked grandchildren, e.g. BullMQ's sandbox processes).
 */
export async function stopAll(children: Spawned[], graceMs = 10_000): Promise<void> {
  for (const s of children) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  await Promise.race([Promise.all(children.map((s) => s.exited)), new Promise((r) => setTimeout(r, graceMs).unref())]);
  for (const s of children) killGroup(s.child, 'SIGKILL');
  await Promise.race([Promise.all(children.map((s) => s.exited)), new Promise((r) => setTimeout(r, 2000).unref())]);
}

/** Kills every spawned group at once (signal handlers, fatal errors). */
export function killAllNow(): void {
  for (const s of spawned) killGroup(s.child, 'SIGKILL');
}

const cleanups = new Set<() => Promise<void>>();
let handlersInstalled = false;

/**
 * Runs `cleanup` once on SIGINT/SIGTERM (then exits 130/143, after every registered cleanup has
 * run: a benchmark may hold several rigs) and once on normal completion.
 */
export function onInterrupt(cleanup: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const run = () => (done ??= cleanup().catch((err: unknown) => console.error(`cleanup failed: ${String(err)}`)));
  cleanups.add(run);
  if (!handlersInstalled) {
    handlersInstalled = true;
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: stopping child processes and deleting the benchmark's Redis keys...`);
        killAllNow();
        void Promise.all([...cleanups].map((c) => c())).then(() => process.exit(code));
      });
    }
  }
  return run;
}

export function mb(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** CPU time (user + system, ms) of the processes in the given process groups, from /proc (Linux). */
export interface GroupCpu {
  /** the group leaders (the processes we spawned) */
  leadersMs: number;
  /** everything else in those groups (e.g. BullMQ sandbox children) */
  othersMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux we run on (getconf CLK_TCK)

export function groupCpu(pgids: readonly number[]): GroupCpu | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const groups = new Set(pgids);
  const cpu: GroupCpu = { leadersMs: 0, othersMs: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // fields after "pid (comm) ": state ppid pgrp ... utime(14) stime(15), 1-based over the whole line
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    if (!groups.has(pgrp)) continue;
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    if (Number(entry) === pgrp) cpu.leadersMs += ms;
    else cpu.othersMs += ms;
  }
  return cpu;
}

/** redis-server's own CPU time (ms) from INFO (includes every other client of that server). */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (get('used_cpu_sys') + get('used_cpu_user')) * 1000;
}

/**
 * The dry-run sweep spec the queue benchmarks enqueue: `count` random trials over a wide space
 * (dry runs build no model, so only the queue path is measured), on the synthetic UCR files under
 * `data/` next to the spec; `test: false` leaves the test file out.
 */
export function drySweepSpec(name: string, count: number, opts: { test?: boolean } = {}): object {
  const test = opts.test ?? true;
  return {
    name,
    dataset: { train: 'data/train.csv', ...(test ? { test: 'data/test.csv' } : {}), format: 'ucr', validationSplit: 0.25, splitSeed: 0 },
    method: 'random',
    count,
    samplerSeed: 1,
    parameters: {
      depth: { min: 1, max: 8 },
      width: { min: 4, max: 128 },
      dropout: { min: 0, max: 0.5 },
      learningRate: { min: 1e-4, max: 0.1, log: true },
      head: ['dense', 'lstm'],
    },
    dryRun: true,
  };
}
