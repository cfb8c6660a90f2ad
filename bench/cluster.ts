/**
 * The same dry-run sweep through a single Redis and through a Redis Cluster of three masters with
 * a replica each (real redis-server processes on loopback ports --port..--port+6, started and
 * stopped here), with the real producer and 2 real worker processes; with --failover, the master
 * holding lstm-sweep's slot is killed (kill -9) halfway through the cluster run.
 *
 *   npm run bench:cluster -- --json [--trials 2000] [--port 7120] [--failover]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { writeSyntheticUcr } from '../src/data/synthetic.js';
import { startTestCluster, type TestCluster } from '../test/redis-cluster.js';
import { CLI, parseArgs, round, runCli, spawnGroup, stopAll, type Spawned } from './common.js';

const args = parseArgs(process.argv.slice(2), { flags: ['json', 'failover'], numbers: ['trials', 'port'] });
const TRIALS = args.numbers.get('trials') ?? 2000;
const BASE = args.numbers.get('port') ?? 7120;
const PREFIX = '{lswbench}';

interface RunFigures {
  target: 'single' | 'cluster';
  enqueueSeconds: number;
  sweepSeconds: number;
  trialsPerSecond: number;
  results: number;
  lost: number;
  /** deliveries beyond one per trial (re-runs after a failover cut off a completion) */
  redeliveries: number;
  failoverSeconds?: number;
  /** from the kill to the first result written after it */
  resumedSeconds?: number;
  /** results written in each second after the kill */
  perSecondAfterKill?: number[];
}

/** Cumulative counts sampled per second (gaps filled) -> results written in each second. */
function perSecondDeltas(cumulative: number[], start: number): number[] {
  const out: number[] = [];
  let last = start;
  for (let i = 0; i < cumulative.length; i++) {
    const now = cumulative[i] ?? last;
    out.push(now - last);
    last = now;
  }
  return out;
}

async function sweep(
  target: RunFigures['target'],
  url: string,
  spec: string,
  client: Redis | Cluster,
  failover?: TestCluster,
): Promise<RunFigures> {
  const env = { REDIS_URL: url, LSW_PREFIX: PREFIX, LSW_CACHE_DIR: path.join(os.tmpdir(), 'lsw-bench-cluster-cache') };
  const t0 = Date.now();
  const { sweepId } = JSON.parse(await runCli(['enqueue', spec, '--json'], env)) as { sweepId: string };
  const enqueueSeconds = (Date.now() - t0) / 1000;
  let starts = 0;
  const workers: Spawned[] = [0, 1].map(() =>
    spawnGroup([CLI, 'worker', '--concurrency', '2'], { env, onLine: (line) => (starts += line.includes('"trial.start"') ? 1 : 0) }),
  );
  const results = `${PREFIX}:sweep:${sweepId}:results`;
  const t1 = Date.now();
  let failoverSeconds: number | undefined;
  let killed: { at: number; done: number } | undefined;
  let resumedSeconds: number | undefined;
  const perSecond: number[] = [];
  try {
    for (;;) {
      const done = await client.hlen(results);
      if (done >= TRIALS) break;
      if (killed && resumedSeconds === undefined && done > killed.done) resumedSeconds = (Date.now() - killed.at) / 1000;
      if (killed) perSecond[Math.floor((Date.now() - killed.at) / 1000)] = done;
      if (failover && failoverSeconds === undefined && done >= TRIALS / 2) {
        const owner = await failover.ownerOf(`${PREFIX}:trials:meta`);
        const killedAt = Date.now();
        failover.nodes.find((n) => n.port === owner.master)!.proc.kill('SIGKILL');
        killed = { at: killedAt, done: await client.hlen(results).catch(() => done) };
        for (;;) {
          const role = (await failover
            .node(owner.replicas[0]!)
            .call('ROLE')
            .catch(() => [])) as string[];
          if (role[0] === 'master') break;
          await new Promise((r) => setTimeout(r, 100));
        }
        failoverSeconds = (Date.now() - killedAt) / 1000;
      }
      if (Date.now() - t1 > 600_000) throw new Error(`${target}: the sweep did not finish in 10 minutes (${done} of ${TRIALS})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await stopAll(workers);
  }
  const sweepSeconds = (Date.now() - t1) / 1000;
  const [trialIds, resultIds] = await Promise.all([client.hkeys(`${PREFIX}:sweep:${sweepId}:trials`), client.hkeys(results)]);
  const have = new Set(resultIds);
  return {
    target,
    enqueueSeconds: round(enqueueSeconds, 2),
    sweepSeconds: round(sweepSeconds, 2),
    trialsPerSecond: round(TRIALS / sweepSeconds, 1),
    results: resultIds.length,
    lost: trialIds.filter((id) => !have.has(id)).length,
    redeliveries: starts - TRIALS,
    ...(failoverSeconds !== undefined ? { failoverSeconds: round(failoverSeconds, 2) } : {}),
    ...(resumedSeconds !== undefined ? { resumedSeconds: round(resumedSeconds, 2) } : {}),
    ...(killed ? { perSecondAfterKill: perSecondDeltas(perSecond, killed.done) } : {}),
  };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-bench-cluster-'));
const { train } = await writeSyntheticUcr(dir, { trainSize: 16, testSize: 4, timesteps: 6, seed: 1 });
const spec = path.join(dir, 'sweep.yaml');
await writeFile(
  spec,
  [
    'name: bench-cluster',
    `dataset: { train: ${train} }`,
    'dryRun: true',
    'method: random',
    `count: ${TRIALS}`,
    'parameters: { depth: { min: 1, max: 60 }, width: { min: 1, max: 4000 }, dropout: { min: 0, max: 0.9 } }',
  ].join('\n'),
);

const singlePort = BASE + 6;
const single = spawn(
  'redis-server',
  ['--port', String(singlePort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
  {
    stdio: 'ignore',
  },
);
const cluster = await startTestCluster({ basePort: BASE, nodeTimeoutMs: 2000 });
const singleClient = new Redis({ port: singlePort, maxRetriesPerRequest: null });
const clusterClient = new Cluster([{ host: '127.0.0.1', port: BASE }], { retryDelayOnFailover: 250, maxRedirections: 200 });
clusterClient.on('error', () => undefined);
try {
  const figures = [
    await sweep('single', `redis://127.0.0.1:${singlePort}`, spec, singleClient),
    await sweep('cluster', cluster.url, spec, clusterClient, args.flags.has('failover') ? cluster : undefined),
  ];
  if (args.flags.has('json')) {
    console.log(JSON.stringify({ trials: TRIALS, workers: 2, concurrency: 2, failover: args.flags.has('failover'), runs: figures }));
  } else {
    for (const f of figures) console.log(JSON.stringify(f));
  }
  process.exitCode = figures.some((f) => f.lost > 0 || f.results !== TRIALS) ? 1 : 0;
} finally {
  singleClient.disconnect();
  clusterClient.disconnect();
  single.kill('SIGKILL');
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
