/**
 * Scale benchmark (#12.8): one dry-run sweep of N trials (default 100,000) through the real CLI,
 * 2 real worker processes and the real dashboard, each figure next to its target.
 *
 *   npm run bench:scale -- [--json] [--trials N] [--workers K] [--concurrency C] [--redis URL] [--timeout S]
 *
 * Steps: (1) `lstm-sweep enqueue --yes` of sweep A while the workers run, then wait until every
 * trial of A has a result; (2) on the finished sweep, `status`, `leaderboard --limit 10`,
 * `sweeps` and every dashboard API route; Redis memory per finished trial (used_memory after A
 * minus before, over N: only meaningful on a Redis of its own, e.g. `redis-server --port 6420
 * --save "" --appendonly no`); (3) the workers stop, sweep B (N trials) is enqueued with no
 * consumer, then `cancel` (every trial of B waiting) and `enqueue --resume` (every one cancelled).
 *
 * CLI figures are the wall time of the whole command (process start included) with its CPU time
 * (user + system, from /usr/bin/time) and redis-server's CPU time over the command. `cliStartMs`
 * (`lstm-sweep --version`) says how much of each is process start. Lost = trials of A without a
 * result; doubled = jobs of A whose workers logged more than one completed `trial.end`, plus
 * result ids that are no trial of A.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../src/data/synthetic.js';
import { Keys } from '../src/store/keys.js';
import { SweepStore } from '../src/store/sweep-store.js';
import {
  drySweepSpec,
  CLI,
  REDIS_URL,
  benchPrefix,
  deletePrefix,
  onInterrupt,
  parseArgs,
  redisCpuMs,
  round,
  spawnGroup,
  stopAll,
  type Spawned,
} from './common.js';

interface Timed {
  ms: number;
  /** the same reads from this process (no process start): the store calls the command makes */
  storeMs?: number;
  /** CPU ms (user + system) of the command's process, when /usr/bin/time is there */
  cpuMs?: number;
  /** redis-server CPU ms over the command (includes other clients of that server) */
  redisCpuMs: number;
  target?: number;
  met?: boolean;
}

interface ApiTimed {
  ms: number;
  bytes: number;
  status: number;
  target: number;
  met: boolean;
}

export interface ScaleBenchResult {
  trials: number;
  workers: number;
  concurrency: number;
  cliStartMs: number;
  enqueue: Timed;
  /** first enqueue to the last result of sweep A */
  drainMs: number;
  trialsPerSec: number;
  status: Timed;
  leaderboardTop10: Timed;
  sweeps: Timed;
  /** enqueue of sweep B with no worker running (the one cancel and resume act on) */
  enqueueIdle: Timed;
  cancel: Timed & { removed: number };
  resume: Timed & { enqueued: number };
  api: Record<string, ApiTimed>;
  memory: { usedBytesDelta: number; bytesPerFinishedTrial: number; keys: Record<string, number> };
  lost: number;
  doubled: number;
  failed: number;
  completed: number;
}

const TARGETS_MS = { enqueue: 60_000, status: 500, leaderboardTop10: 1000, sweeps: 1000, cancel: 10_000, resume: 60_000, api: 200 };

const progress = (msg: string) => process.stderr.write(`[bench:scale] ${msg}\n`);

/** Runs the CLI to completion under /usr/bin/time; fails on a non-zero exit. */
async function cli(redis: Redis, args: string[], env: NodeJS.ProcessEnv, target?: number): Promise<Timed & { stdout: string }> {
  const useTime = process.platform === 'linux';
  const cmd = useTime ? '/usr/bin/time' : process.execPath;
  const argv = useTime ? ['-f', 'LSWTIME %U %S', process.execPath, CLI, ...args] : [CLI, ...args];
  const redis0 = await redisCpuMs(redis);
  const t0 = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const ms = round(performance.now() - t0, 0);
  const redisMs = round((await redisCpuMs(redis)) - redis0, 0);
  if (code !== 0) throw new Error(`lstm-sweep ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  const time = /LSWTIME ([\d.]+) ([\d.]+)/.exec(stderr);
  return {
    ms,
    ...(time ? { cpuMs: round((Number(time[1]) + Number(time[2])) * 1000, 0) } : {}),
    redisCpuMs: redisMs,
    ...(target !== undefined ? { target, met: ms < target } : {}),
    stdout,
  };
}

const strip = <T extends { stdout: string }>({ stdout: _s, ...rest }: T) => rest;

async function waitUntil(check: () => Promise<boolean>, deadline: number, pollMs: number): Promise<boolean> {
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(pollMs);
  }
}

/** Starts `lstm-sweep dashboard --port 0` and returns its base URL. */
async function startDashboard(env: NodeJS.ProcessEnv, children: Spawned[]): Promise<string> {
  let url: string | undefined;
  const child = spawnGroup([CLI, 'dashboard', '--port', '0'], {
    env,
    onLine: (line) => {
      const m = /^dashboard: (http\S+)/.exec(line);
      if (m) url = m[1];
    },
  });
  children.push(child);
  const deadline = Date.now() + 60_000;
  while (url === undefined) {
    if (child.child.exitCode !== null) throw new Error(`dashboard exited: ${child.stderrTail()}`);
    if (Date.now() > deadline) throw new Error('dashboard did not start in 60 s');
    await sleep(50);
  }
  return url.endsWith('/') ? url : `${url}/`;
}

/** Median of 3 timed GETs (the first one warms the route). */
async function timeGet(url: string): Promise<ApiTimed> {
  const times: number[] = [];
  let bytes = 0;
  let status = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    times.push(performance.now() - t0);
    bytes = body.byteLength;
    status = res.status;
  }
  const ms = round(times.sort((a, b) => a - b)[1]!, 1);
  return { ms, bytes, status, target: TARGETS_MS.api, met: status === 200 && ms < TARGETS_MS.api };
}

/** Median of 3 runs, ms. */
async function timeMs(fn: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return round(times.sort((a, b) => a - b)[1]!, 1);
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    flags: ['json'],
    numbers: ['trials', 'workers', 'concurrency', 'timeout'],
    strings: ['redis'],
  });
  const redisUrl = args.strings.get('redis') ?? REDIS_URL;
  const trials = Math.floor(args.numbers.get('trials') ?? 100_000);
  const workerCount = Math.floor(args.numbers.get('workers') ?? 2);
  const concurrency = Math.floor(args.numbers.get('concurrency') ?? 2);
  const timeoutMs = (args.numbers.get('timeout') ?? 1800) * 1000;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = benchPrefix('scale');
  const keys = new Keys(prefix);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'lswbench-scale-'));
  const children: Spawned[] = [];
  const cleanup = onInterrupt(async () => {
    await stopAll(children, 5000);
    await deletePrefix(redis, prefix);
    await rm(tmp, { recursive: true, force: true });
    redis.disconnect();
  });
  const env = { REDIS_URL: redisUrl, LSW_PREFIX: prefix, LSW_CACHE_DIR: path.join(tmp, 'cache') };
  try {
    progress(`${trials} trials, ${workerCount} workers x ${concurrency}, ${redisUrl.replace(/\/\/[^@]*@/, '//***@')}, prefix ${prefix}`);
    await writeSyntheticUcr(path.join(tmp, 'data'), { trainSize: 16, testSize: 8, timesteps: 8, seed: 7 });
    await writeFile(path.join(tmp, 'a.json'), JSON.stringify(drySweepSpec('scale-a', trials, { test: false })));
    await writeFile(path.join(tmp, 'b.json'), JSON.stringify(drySweepSpec('scale-b', trials, { test: false })));
    const cliStartMs = (await cli(redis, ['--version'], env)).ms;

    // Workers, logging every trial start and end.
    const completions = new Map<string, number>();
    let ready = 0;
    const onLine = (line: string) => {
      if (line.includes('"worker.ready"')) ready++;
      if (!line.includes('"trial.end"') || !line.includes('"completed"')) return;
      const { jobId } = JSON.parse(line) as { jobId?: string };
      if (jobId !== undefined) completions.set(jobId, (completions.get(jobId) ?? 0) + 1);
    };
    const workers = Array.from({ length: workerCount }, () =>
      spawnGroup([CLI, 'worker', '--concurrency', String(concurrency), '--artifacts', 'none', '--grace', '5'], { env, onLine }),
    );
    children.push(...workers);
    while (ready < workers.length) {
      const dead = workers.find((w) => w.child.exitCode !== null);
      if (dead) throw new Error(`worker exited: ${dead.stderrTail()}`);
      await sleep(50);
    }

    // (1) sweep A, enqueued while the workers take its trials.
    const memory0 = await usedMemory(redis);
    const t0 = Date.now();
    const enqueue = await cli(redis, ['enqueue', path.join(tmp, 'a.json'), '--yes', '--json'], env, TARGETS_MS.enqueue);
    const sweepA = (JSON.parse(enqueue.stdout) as { sweepId: string }).sweepId;
    progress(`enqueued ${trials} trials of ${sweepA} in ${enqueue.ms} ms; waiting for the workers`);
    let lastReport = Date.now();
    const drained = await waitUntil(
      async () => {
        const [[, r], [, f]] = (await redis.multi().hlen(keys.results(sweepA)).hlen(keys.failures(sweepA)).exec()) as [
          [unknown, number],
          [unknown, number],
        ];
        if (Date.now() - lastReport > 30_000) {
          progress(`${r} results, ${f} failures after ${Math.round((Date.now() - t0) / 1000)} s`);
          lastReport = Date.now();
        }
        return r + f >= trials;
      },
      t0 + timeoutMs,
      250,
    );
    const drainMs = Date.now() - t0;
    if (!drained) progress(`TIMED OUT after ${drainMs} ms`);
    progress(`sweep A drained in ${drainMs} ms`);

    // (2) reads of the finished sweep: CLI and dashboard.
    const status = await cli(redis, ['status', sweepA, '--json'], env, TARGETS_MS.status);
    const leaderboardTop10 = await cli(redis, ['leaderboard', sweepA, '--limit', '10', '--json'], env, TARGETS_MS.leaderboardTop10);
    const sweeps = await cli(redis, ['sweeps', '--json'], env, TARGETS_MS.sweeps);
    const top = JSON.parse(leaderboardTop10.stdout) as { trialId: string }[];
    // The store calls each command makes, timed in this process: what is left once the CLI starts fast (#12.7).
    const store = new SweepStore(redis, prefix);
    const metric = { name: 'valAuc', goal: 'maximize' } as const;
    status.storeMs = await timeMs(async () => {
      await store.getSweep(sweepA);
      await store.counts(sweepA);
      await store.getFailures(sweepA);
    });
    leaderboardTop10.storeMs = await timeMs(async () => {
      await store.getSweep(sweepA);
      await store.leaderboard(sweepA, metric, 10);
      await store.getFailures(sweepA);
      await store.counts(sweepA);
    });
    sweeps.storeMs = await timeMs(async () => {
      for (const id of await store.listSweeps()) {
        await store.getSweep(id);
        await store.counts(id);
      }
    });
    const base = await startDashboard(env, children);
    const sweepPath = `${base}api/sweeps/${sweepA}`;
    const routes: Record<string, string> = {
      health: `${base}api/health`,
      meta: `${base}api/meta`,
      sweeps: `${base}api/sweeps`,
      sweep: sweepPath,
      leaderboard: `${sweepPath}/leaderboard`,
      leaderboardLimit1000: `${sweepPath}/leaderboard?limit=1000`,
      leaderboardDeepPage: `${sweepPath}/leaderboard?offset=${Math.max(0, trials - 100)}&limit=100`,
      failures: `${sweepPath}/failures`,
      active: `${sweepPath}/active`,
      curves10: `${sweepPath}/curves?trials=${top.map((r) => r.trialId).join(',')}`,
    };
    const api: Record<string, ApiTimed> = {};
    for (const [name, url] of Object.entries(routes)) api[name] = await timeGet(url);

    // Memory of the finished sweep (the queue keeps its last 1,000 completed jobs).
    const memory1 = await usedMemory(redis);
    const memKeys: Record<string, number> = {};
    for (const [name, key] of Object.entries({
      trials: keys.trials(sweepA),
      results: keys.results(sweepA),
      ranking: keys.ranking(sweepA),
      deliveries: keys.deliveries(sweepA),
    })) {
      memKeys[name] = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    }

    // Lost and doubled, from the store and the workers' logs.
    const resultIds = new Set(await redis.hkeys(keys.results(sweepA)));
    const trialIds = new Set(await redis.hkeys(keys.trials(sweepA)));
    const failed = await redis.hlen(keys.failures(sweepA));
    const lost = [...trialIds].filter((id) => !resultIds.has(id)).length;
    const doubled =
      [...completions].filter(([jobId, n]) => jobId.startsWith(`${sweepA}.`) && n > 1).length +
      [...resultIds].filter((id) => !trialIds.has(id)).length;

    // (3) sweep B with no consumer: cancel every waiting trial, then resume them all.
    await stopAll(workers);
    const enqueueIdle = await cli(redis, ['enqueue', path.join(tmp, 'b.json'), '--yes', '--json'], env, TARGETS_MS.enqueue);
    const sweepB = (JSON.parse(enqueueIdle.stdout) as { sweepId: string }).sweepId;
    const cancel = await cli(redis, ['cancel', sweepB, '--json'], env, TARGETS_MS.cancel);
    const resume = await cli(redis, ['enqueue', '--resume', sweepB, '--json'], env, TARGETS_MS.resume);

    const result: ScaleBenchResult = {
      trials,
      workers: workerCount,
      concurrency,
      cliStartMs,
      enqueue: strip(enqueue),
      drainMs,
      trialsPerSec: round((resultIds.size / drainMs) * 1000),
      status: strip(status),
      leaderboardTop10: strip(leaderboardTop10),
      sweeps: strip(sweeps),
      enqueueIdle: strip(enqueueIdle),
      cancel: { ...strip(cancel), removed: (JSON.parse(cancel.stdout) as { removed: number }).removed },
      resume: { ...strip(resume), enqueued: (JSON.parse(resume.stdout) as { enqueued: number }).enqueued },
      api,
      memory: {
        usedBytesDelta: memory1 - memory0,
        bytesPerFinishedTrial: round((memory1 - memory0) / Math.max(1, resultIds.size), 0),
        keys: memKeys,
      },
      lost,
      doubled,
      failed,
      completed: resultIds.size,
    };
    if (args.flags.has('json')) {
      console.log(JSON.stringify(result));
    } else {
      console.log(report(result));
    }
    process.exitCode = lost + doubled > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

function report(r: ScaleBenchResult): string {
  const line = (name: string, t: Timed, extra = '') =>
    `${name.padEnd(24)} ${String(t.ms).padStart(8)} ms` +
    (t.target !== undefined ? `  (target < ${t.target} ms: ${t.met ? 'met' : 'MISSED'})` : '') +
    (t.cpuMs !== undefined ? `  cpu ${t.cpuMs} ms` : '') +
    (t.storeMs !== undefined ? `  store calls ${t.storeMs} ms` : '') +
    `  redis cpu ${t.redisCpuMs} ms${extra}`;
  const out = [
    `scale benchmark: ${r.trials} dry-run trials, ${r.workers} workers x ${r.concurrency}; CLI start (--version) ${r.cliStartMs} ms`,
    line('enqueue', r.enqueue),
    `${'drain (enqueue to last)'.padEnd(24)} ${String(r.drainMs).padStart(8)} ms  (${r.trialsPerSec} trials/s)`,
    line('status', r.status),
    line('leaderboard --limit 10', r.leaderboardTop10),
    line('sweeps', r.sweeps),
    line('enqueue (no workers)', r.enqueueIdle),
    line('cancel', r.cancel, `  removed ${r.cancel.removed}`),
    line('enqueue --resume', r.resume, `  enqueued ${r.resume.enqueued}`),
  ];
  for (const [name, a] of Object.entries(r.api)) {
    out.push(
      `${`GET ${name}`.padEnd(24)} ${String(a.ms).padStart(8)} ms  (target < ${a.target} ms: ${a.met ? 'met' : 'MISSED'})  ${a.bytes} B  HTTP ${a.status}`,
    );
  }
  out.push(
    `redis memory per finished trial: ${r.memory.bytesPerFinishedTrial} B (used_memory +${r.memory.usedBytesDelta} B; keys ${JSON.stringify(r.memory.keys)})`,
    `lost ${r.lost}  doubled ${r.doubled}  failed ${r.failed}  completed ${r.completed}`,
  );
  return out.join('\n');
}

main().catch((err: unknown) => {
  console.error(`bench:scale failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
