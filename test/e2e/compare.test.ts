/**
 * `lstm-sweep compare` through real parts: the built CLI, the real Redis, a real worker process
 * writing (dry-run) results. The differences it reports are checked against the trials' metrics
 * as `leaderboard --json` shows them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { PairedComparison } from '../../src/analysis/paired.js';
import { enqueue, trainAll, writeData, writeSpec } from '../dashboard-fixture.js';
import { REDIS_URL, deletePrefix, runCli, uniquePrefix } from '../helpers.js';

const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '' };
let redis: Redis;
let dir: string;
let grid: string;
let random: string;

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-compare-'));
  await writeData(dir);
  // head dense/lstm × depth 1/2/3 × 2 seeds: 6 pairs for head, 4 per other depth.
  const gridSpec = await writeSpec(dir, 'cmp-grid', [
    'method: grid',
    'parameters: { head: [dense, lstm], depth: [1, 2, 3], width: [4], epochs: [2] }',
    'seeds: [0, 1]',
    'metric: { name: valAuc, goal: maximize }',
    'baseline: none',
    'dryRun: true',
  ]);
  const randomSpec = await writeSpec(dir, 'cmp-random', [
    'method: random',
    'count: 4',
    'parameters: { residual: [true, false], learningRate: { min: 0.0001, max: 0.01, log: true }, width: [4], epochs: [2] }',
    'baseline: none',
    'dryRun: true',
  ]);
  grid = await enqueue(gridSpec, env);
  random = await enqueue(randomSpec, env);
  await Promise.all([trainAll(grid, env), trainAll(random, env)]);
});

after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

async function compareJson(sweepId: string, ...args: string[]): Promise<PairedComparison> {
  const r = await runCli(['compare', sweepId, ...args, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PairedComparison;
}

describe('lstm-sweep compare', () => {
  test('--by head: every pair differs in head alone, diff = lstm − dense of the leaderboard, in points', async () => {
    const lb = await runCli(['leaderboard', grid, '--json'], env);
    const trials = new Map(
      (JSON.parse(lb.stdout) as { trialId: string; config: Record<string, unknown>; metrics: { valAuc: number } }[]).map((t) => [
        t.trialId,
        t,
      ]),
    );
    assert.equal(trials.size, 12);
    const r = await compareJson(grid, '--by', 'head');
    assert.equal(r.by, 'head');
    assert.equal(r.reference, 'dense', "the vocabulary's default choice");
    assert.deepEqual(r.parameters, ['depth', 'head'], 'in the vocabulary order');
    assert.equal(r.comparisons.length, 1);
    const c = r.comparisons[0]!;
    assert.equal(c.value, 'lstm');
    assert.equal(c.pairs.length, 6);
    const diffs: number[] = [];
    for (const p of c.pairs) {
      const ref = trials.get(p.trials.reference)!;
      const other = trials.get(p.trials.other)!;
      assert.equal(ref.config.head, 'dense');
      assert.equal(other.config.head, 'lstm');
      const { head: _a, ...restRef } = ref.config;
      const { head: _b, ...restOther } = other.config;
      assert.deepEqual(restRef, restOther, 'the pair differs in head alone, seed included');
      assert.equal(ref.config.seed, p.seed);
      assert.equal(p.config.depth, ref.config.depth);
      const diff = (other.metrics.valAuc - ref.metrics.valAuc) * 100;
      assert.ok(Math.abs(p.metric.diff! - diff) < 1e-9);
      diffs.push(diff);
    }
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    assert.ok(Math.abs(c.summary.metric!.mean - mean) < 1e-9);
    assert.equal(c.summary.metric!.n, 6);
    assert.ok(c.summary.metric!.low! < mean && mean < c.summary.metric!.high!);
    assert.match(
      c.sentence,
      /^head lstm \(vs dense\) (helps|hurts) validation ROC AUC by [+-]\d+\.\d ± \d+\.\d points on 6 pairs \(95% interval, t/,
    );
  });

  test('--by depth: one comparison per other value; --ref moves the reference', async () => {
    const r = await compareJson(grid, '--by', 'depth');
    assert.equal(r.reference, 1);
    assert.deepEqual(
      r.comparisons.map((c) => [c.value, c.pairs.length]),
      [
        [2, 4],
        [3, 4],
      ],
    );
    const moved = await compareJson(grid, '--by', 'depth', '--ref', '3');
    assert.equal(moved.reference, 3);
    assert.deepEqual(
      moved.comparisons.map((c) => c.value),
      [1, 2],
    );
    // depth 1 vs 3 is minus depth 3 vs 1, pair by pair.
    const back = new Map(moved.comparisons[0]!.pairs.map((p) => [`${p.seed}/${String(p.config.head)}`, p.metric.diff!]));
    for (const p of r.comparisons[1]!.pairs) assert.ok(Math.abs(p.metric.diff! + back.get(`${p.seed}/${String(p.config.head)}`)!) < 1e-9);
  });

  test('the table: a header, the sentence per value and one row per pair', async () => {
    const json = await compareJson(grid, '--by', 'depth');
    const r = await runCli(['compare', grid, '--by', 'depth'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /depth compared with depth 1, on validation ROC AUC \(maximize, differences in points\), 12 finished trials/);
    for (const c of json.comparisons) {
      assert.ok(lines.includes(c.sentence), `the sentence for depth ${c.value}`);
      for (const p of c.pairs) {
        const row = lines.find((l) => l.includes(p.trials.reference.slice(0, 8)) && l.includes(p.trials.other.slice(0, 8)));
        assert.ok(row, `a row for the pair ${p.trials.reference} / ${p.trials.other}`);
        const sign = p.metric.diff! >= 0 ? '+' : '';
        assert.ok(row.includes(`${sign}${p.metric.diff!.toFixed(1)}`), row);
      }
    }
  });

  test('a random search over a continuous range has no pairs, and says why', async () => {
    const r = await compareJson(random, '--by', 'residual');
    assert.equal(
      r.comparisons.every((c) => c.pairs.length === 0),
      true,
    );
    assert.match(r.noPairs!, /they also differ in learning rate/);
    const text = await runCli(['compare', random, '--by', 'residual'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.includes(r.noPairs!));
  });

  test('bad input: exit 2 with one line naming what is valid', async () => {
    const unknown = await runCli(['compare', grid, '--by', 'dropout'], env);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr.trim().split('\n').length, 1);
    assert.match(unknown.stderr, /not a parameter this sweep varies; valid: depth, head/);
    const missing = await runCli(['compare', grid], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /name a parameter the sweep varies: depth, head/);
    const ref = await runCli(['compare', grid, '--by', 'depth', '--ref', '7'], env);
    assert.equal(ref.code, 2);
    assert.match(ref.stderr, /depth takes 1, 2, 3 in this sweep, not 7/);
    const sweep = await runCli(['compare', 'no-such-sweep', '--by', 'depth'], env);
    assert.equal(sweep.code, 2);
    assert.match(sweep.stderr, /no sweep "no-such-sweep"/);
  });
});
