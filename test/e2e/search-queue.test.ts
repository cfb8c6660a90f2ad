/**
 * The distributed search at queue speed against a known optimum (#14.3): a tpe sweep whose
 * dry-run trials report Hartmann-6 at their configuration, 16 pending at once over 2 real worker
 * processes x 8 trainers, on the real Redis. No configuration may be suggested twice, every
 * trial must end, and the search must find what a search finds.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { parseSpecText } from '../../src/definition/load-spec.js';
import type { TrialConfig } from '../../src/model/trial-config.js';
import { evaluateFit, fitObjective } from '../../src/search/objective-fit.js';
import { OBJECTIVES } from '../../src/search/objectives.js';
import { sampleRandom } from '../../src/search/samplers/random.js';
import { sweepSpace } from '../../src/search/space.js';
import { assignmentOf } from '../../src/search/suggester.js';
import { createRng } from '../../src/util/rng.js';
import { REDIS_URL, deletePrefix, exited, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';

const BUDGET = 96;
const PARALLELISM = 16;
const prefix = uniquePrefix();
const env: NodeJS.ProcessEnv = { REDIS_URL, LSW_PREFIX: prefix };
let redis: Redis;
let dir: string;

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-search-queue-'));
  env.LSW_CACHE_DIR = path.join(dir, 'cache');
  await writeSyntheticUcr(dir, { trainSize: 16, testSize: 4, timesteps: 8, seed: 5 });
});
after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test(`tpe on hartmann6 through the queue: ${PARALLELISM} pending, ${BUDGET} trials, no configuration twice, regret well below random`, async () => {
  const text = [
    'name: hartmann6-queue',
    `dataset: { train: ${path.join(dir, 'train.csv')} }`,
    'method: tpe',
    `count: ${BUDGET}`,
    `parallelism: ${PARALLELISM}`,
    'samplerSeed: 7',
    'metric: { name: valLoss, goal: minimize }',
    'dryRun: { objective: hartmann6 }',
    'parameters:', // six ranges of three kinds, mapped in this (the vocabulary's) order onto x1..x6
    '  width: { min: 1, max: 4096 }',
    '  dropout: { min: 0, max: 0.9 }',
    '  recurrentDropout: { min: 0, max: 0.9 }',
    '  learningRate: { min: 0.00001, max: 1, log: true }',
    '  batchSize: { min: 1, max: 65536 }',
    '  clipNorm: { min: 0, max: 100 }',
  ].join('\n');
  const file = path.join(dir, 'hartmann6.yaml');
  await writeFile(file, text);
  const spec = parseSpecText(text, file);
  const space = sweepSpace(spec.parameters);
  const fit = fitObjective(OBJECTIVES.hartmann6, space);

  const r = await runCli(['enqueue', file, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const { sweepId, trials, enqueued } = JSON.parse(r.stdout) as { sweepId: string; trials: number; enqueued: number };
  assert.deepEqual([trials, enqueued], [BUDGET, PARALLELISM], 'enqueue suggests the first `parallelism` trials at once');

  const workers = [0, 1].map(() => spawnCli(['worker', '--concurrency', '8', '--artifacts', 'none', '--grace', '5'], env));
  try {
    const counts = await waitFor(
      async () => {
        const s = JSON.parse((await runCli(['status', sweepId, '--json'], env)).stdout) as Record<string, number>;
        return s.completed! + s.failed! + s.cancelled! + s.pruned! >= s.total! ? s : undefined;
      },
      120_000,
      'the budget to be spent',
    );
    assert.deepEqual(counts, { total: BUDGET, waiting: 0, active: 0, completed: BUDGET, failed: 0, cancelled: 0, pruned: 0 });
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));
  }

  // Every suggestion made became a trial of its own: a suggestion that repeated a configuration
  // would share its trial id (a hash of the config) and leave the counter above the trial count.
  const base = `${prefix}:sweep:${sweepId}`;
  const configs = Object.values(await redis.hgetall(`${base}:trials`)).map((c) => JSON.parse(c) as TrialConfig);
  assert.equal(configs.length, BUDGET);
  assert.equal(Number(await redis.get(`${base}:suggestions`)), BUDGET, 'suggestions made = trials stored');
  const assignments = configs.map((c) => assignmentOf(c, space));
  const keys = new Set(assignments.map((a) => JSON.stringify(space.map((d) => a[d.name]))));
  assert.equal(keys.size, BUDGET, 'no configuration suggested twice');

  // Each result is the objective at its trial's configuration; the leaderboard's best is their minimum.
  const results = Object.values(await redis.hgetall(`${base}:results`)).map(
    (r) => JSON.parse(r) as { config: TrialConfig; metrics: { valLoss: number }; finishedAt: string },
  );
  assert.equal(results.length, BUDGET);
  for (const res of results) assert.equal(res.metrics.valLoss, evaluateFit(fit, assignmentOf(res.config, space)));
  const values = results.map((res) => res.metrics.valLoss);
  const best = Math.min(...values);
  const board = JSON.parse((await runCli(['leaderboard', sweepId, '--json', '--limit', '1'], env)).stdout) as Array<{
    metrics: { valLoss: number };
  }>;
  assert.equal(board[0]!.metrics.valLoss, best);

  // Against random points of the same space: TPE's best beats all but the best 5% of them, and
  // its later trials (the model at work, after 16 random startup ones) sit well below their median.
  const rng = createRng(1);
  const random = Array.from({ length: 4000 }, () => evaluateFit(fit, sampleRandom(space, rng))).sort((a, b) => a - b);
  const later = [...results].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)).slice(BUDGET / 2);
  const regret = best - OBJECTIVES.hartmann6.optimum;
  console.log(
    `hartmann6 via the queue: best ${best.toFixed(4)} (regret ${regret.toFixed(4)}), random median ${median(random).toFixed(4)}, ` +
      `5th percentile ${random[200]!.toFixed(4)}, best of random ${random[0]!.toFixed(4)}; median of the later half ${median(later.map((x) => x.metrics.valLoss)).toFixed(4)}`,
  );
  assert.ok(best < random[200]!, `best ${best} vs the random points' 5th percentile ${random[200]}`);
  assert.ok(median(later.map((x) => x.metrics.valLoss)) < median(random), 'later trials better than random points');
});
