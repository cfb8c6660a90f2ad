/** TPE suggestions and ASHA across real worker processes on the real Redis. */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { REDIS_URL, deletePrefix, exited, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';

const prefix = uniquePrefix();
const env: NodeJS.ProcessEnv = { REDIS_URL, LSW_PREFIX: prefix };
let redis: Redis;
let dir: string;
let train: string;

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-search-'));
  env.LSW_CACHE_DIR = path.join(dir, 'cache');
  ({ train } = await writeSyntheticUcr(dir, { trainSize: 48, testSize: 16, timesteps: 12, seed: 9 }));
});
after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

async function enqueue(name: string, lines: string[]): Promise<{ sweepId: string; trials: number; enqueued: number }> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, [`name: ${name}`, `dataset: { train: ${train}, validationSplit: 0.25 }`, ...lines].join('\n'));
  const r = await runCli(['enqueue', file, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function status(sweepId: string): Promise<Record<string, number>> {
  return JSON.parse((await runCli(['status', sweepId, '--json'], env)).stdout);
}

const ended = (s: Record<string, number>) => s.completed! + s.pruned! + s.failed! + s.cancelled!;

describe('tpe sweeps', () => {
  test('4 workers and a controller killed mid-sweep: the budget is spent exactly, no configuration twice', async () => {
    const spec = [
      'method: tpe',
      'count: 16',
      'parallelism: 4',
      'samplerSeed: 3',
      'dryRun: true',
      'parameters:',
      '  depth: { min: 1, max: 8 }',
      '  width: [4, 8, 16, 32]',
      '  dropout: { min: 0, max: 0.5 }',
      '  learningRate: { min: 0.0001, max: 0.1, log: true }',
    ];
    const { sweepId, trials, enqueued } = await enqueue('tpe-4w', spec);
    assert.equal(trials, 16);
    assert.equal(enqueued, 4, 'the first `parallelism` trials are suggested by enqueue');

    let controller = spawnCli(['controller', sweepId, '--interval', '0.2'], env);
    const workers = Array.from({ length: 4 }, () => spawnCli(['worker'], env));
    try {
      await waitFor(async () => ((await status(sweepId)).completed! >= 6 ? true : undefined), 60_000, 'a third of the budget');
      controller.kill('SIGKILL');
      await exited(controller);
      controller = spawnCli(['controller', sweepId, '--interval', '0.2'], env);
      const counts = await waitFor(
        async () => {
          const s = await status(sweepId);
          return ended(s) === s.total ? s : undefined;
        },
        120_000,
        'the tpe budget to be spent',
      );
      assert.deepEqual(counts, { total: 16, waiting: 0, active: 0, completed: 16, failed: 0, cancelled: 0, pruned: 0 });
      assert.equal(await exited(controller), 0, 'the controller ends with the sweep');
    } finally {
      controller.kill('SIGTERM');
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map(exited));
    }
    const configs = Object.values(await redis.hgetall(`${prefix}:sweep:${sweepId}:trials`)).map((c) => JSON.parse(c));
    assert.equal(configs.length, 16);
    const keys = new Set(configs.map((c) => JSON.stringify([c.depth, c.width, c.dropout, c.learningRate])));
    assert.equal(keys.size, 16, 'no configuration suggested twice');
    for (const c of configs) {
      assert.ok(Number.isInteger(c.depth) && c.depth >= 1 && c.depth <= 8);
      assert.ok([4, 8, 16, 32].includes(c.width));
      assert.ok(c.learningRate >= 0.0001 && c.learningRate <= 0.1);
    }
    const board = JSON.parse((await runCli(['leaderboard', sweepId, '--json'], env)).stdout) as unknown[];
    assert.equal(board.length, 16);
  });

  test('a small discrete space ends when every combination was tried', async () => {
    const { sweepId } = await enqueue('tpe-small', [
      'method: tpe',
      'count: 10',
      'parallelism: 2',
      'dryRun: true',
      'parameters:',
      '  depth: [1, 2]',
      '  width: [4, 8, 16]',
    ]);
    const w = spawnCli(['worker'], env);
    try {
      const counts = await waitFor(
        async () => {
          const s = await status(sweepId);
          return ended(s) === s.total ? s : undefined;
        },
        60_000,
        'the space to be exhausted',
      );
      assert.equal(counts.total, 6);
      assert.equal(counts.completed, 6);
    } finally {
      w.kill('SIGTERM');
      await exited(w);
    }
  });

  test('options whose value is left out of the config (residual true, clipNorm 0) still count as tried', async () => {
    const space = ['parameters:', '  depth: [1, 2]', '  residual: [true, false]', '  clipNorm: [0, 1]'];
    const { sweepId } = await enqueue('tpe-options', ['method: tpe', 'count: 12', 'parallelism: 2', 'dryRun: true', ...space]);
    const w = spawnCli(['worker'], env);
    try {
      const counts = await waitFor(
        async () => {
          const s = await status(sweepId);
          return ended(s) === s.total ? s : undefined;
        },
        60_000,
        'the 8 combinations to be tried',
      );
      assert.deepEqual([counts.total, counts.completed], [8, 8]);
    } finally {
      w.kill('SIGTERM');
      await exited(w);
    }
  });
});

describe('repeated seeds', () => {
  test('leaderboard --by-config gives mean and spread per configuration; the table shows it by default', async () => {
    const { sweepId } = await enqueue('seeds', ['dryRun: true', 'seeds: [1, 2, 3]', 'parameters:', '  depth: [1, 2]']);
    const w = spawnCli(['worker'], env);
    try {
      await waitFor(async () => ((await status(sweepId)).completed === 6 ? true : undefined), 60_000, '6 trials');
    } finally {
      w.kill('SIGTERM');
      await exited(w);
    }
    const groups = JSON.parse((await runCli(['leaderboard', sweepId, '--by-config', '--json'], env)).stdout) as Array<{
      rank: number;
      config: { depth: number };
      seeds: number[];
      metric: { mean: number; std: number; min: number; max: number };
    }>;
    assert.equal(groups.length, 2);
    for (const g of groups) {
      assert.deepEqual([...g.seeds].sort(), [1, 2, 3]);
      assert.ok(g.metric.min <= g.metric.mean && g.metric.mean <= g.metric.max && g.metric.std > 0);
    }
    assert.ok(groups[0]!.metric.mean >= groups[1]!.metric.mean, 'ranked by the mean (valAuc, maximize)');
    const table = (await runCli(['leaderboard', sweepId], env)).stdout;
    assert.match(table, /per configuration, over 3 seeds/);
    assert.match(table, /valAuc mean ± sd/);
  });
});

describe('asha sweeps', () => {
  test('trials stopped early are recorded as pruned with their epoch, not retried, shown in status and leaderboard', async () => {
    // valLoss: a continuous metric (AUC ties at 1.0 on this easy task, and ties go on).
    const { sweepId } = await enqueue('asha', [
      'earlyTerminate: { type: asha, minEpochs: 1, reductionFactor: 2 }',
      'metric: { name: valLoss, goal: minimize }',
      'parameters:',
      '  depth: [1, 2]',
      '  width: [2, 4, 8]',
      '  learningRate: [0.001, 0.03]',
      '  epochs: [4]',
      '  patience: [0]',
    ]);
    const workers = [spawnCli(['worker'], env), spawnCli(['worker'], env)];
    let counts: Record<string, number>;
    try {
      counts = await waitFor(
        async () => {
          const s = await status(sweepId);
          return ended(s) === s.total ? s : undefined;
        },
        180_000,
        'the asha sweep',
      );
    } finally {
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map(exited));
    }
    assert.equal(counts.total, 12);
    console.log(`asha: ${counts.pruned} of 12 trials pruned`);
    assert.ok(counts.pruned! >= 2, `pruned ${counts.pruned}`);
    assert.equal(counts.completed! + counts.pruned!, 12);
    const results = Object.values(await redis.hgetall(`${prefix}:sweep:${sweepId}:results`)).map((r) => JSON.parse(r));
    for (const r of results.filter((r) => r.pruned)) {
      assert.ok([1, 2].includes(r.pruned.epoch), `pruned at rung ${r.pruned.epoch}`);
      assert.equal(r.epochsRun, r.pruned.epoch);
      assert.equal(r.attempts, 1);
    }
    const epochs = results.reduce((n, r) => n + r.epochsRun, 0);
    assert.ok(epochs < 12 * 4, `ASHA saved epochs: ${epochs} of ${12 * 4}`);
    assert.match((await runCli(['status', sweepId], env)).stdout, new RegExp(`pruned ${counts.pruned}`));
    assert.match((await runCli(['leaderboard', sweepId], env)).stdout, /\d pruned/);
  });

  test('a spec cannot early-terminate on a test metric', async () => {
    const file = path.join(dir, 'bad-asha.yaml');
    await writeFile(
      file,
      `name: x\ndataset: { train: ${train} }\nmetric: { name: testAcc, goal: maximize }\nearlyTerminate: { type: asha }\n`,
    );
    const r = await runCli(['enqueue', file], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /earlyTerminate: early termination compares a validation metric/);
  });
});
