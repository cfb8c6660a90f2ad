/**
 * bench/queue.ts end to end on a small sweep (real Redis, real worker processes; needs dist/,
 * which `npm test` builds): nothing lost, nothing run twice, the JSON has its documented shape,
 * and the benchmark leaves no keys and no processes behind. Speed is not asserted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_URL, runNode } from '../helpers.js';

const runBench = (args: string[]) => runNode(['--import', 'tsx', 'bench/queue.ts', ...args]);

test('bench:queue --trials 200 --workers 2 --json: no lost or duplicated trials, documented JSON', { timeout: 90_000 }, async () => {
  const { code, stdout, stderr } = await runBench(['--trials', '200', '--workers', '2', '--json', '--timeout', '60']);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout.trim()) as Record<string, unknown> & {
    lstmSweep: Record<string, unknown>;
    bareBullmq: Record<string, unknown>;
  };
  assert.equal(result.trials, 200);
  assert.equal(result.workers, 2);
  assert.equal(typeof result.concurrency, 'number');
  assert.equal(typeof result.ratio, 'number');
  for (const side of [result.lstmSweep, result.bareBullmq]) {
    assert.equal(side.lost, 0);
    assert.equal(side.duplicated, 0);
    assert.equal(side.completed, 200);
    assert.equal(side.timedOut, false);
    for (const key of ['trialsPerSec', 'wallMs']) assert.ok((side[key] as number) > 0, key);
    const latency = side.latencyMs as Record<string, number>;
    assert.deepEqual(Object.keys(latency).sort(), ['max', 'p50', 'p90', 'p99']);
    assert.ok(latency.p50! <= latency.p90! && latency.p90! <= latency.p99! && latency.p99! <= latency.max!);
  }

  // Prefixes are printed on stderr; none of their keys may survive.
  const prefixes = [...stderr.matchAll(/lswbench-[a-z]+-\d+-[0-9a-f]+/g)].map((m) => m[0]);
  assert.ok(prefixes.length >= 2, stderr);
  const redis = new Redis(REDIS_URL);
  try {
    for (const prefix of new Set(prefixes)) {
      const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 10_000);
      assert.deepEqual(keys, [], `keys left under ${prefix}`);
    }
  } finally {
    redis.disconnect();
  }
});

test('bench:train --quick --json: every engine side by side, ratios to torch, the documented JSON', { timeout: 120_000 }, async () => {
  const { code, stdout, stderr } = await runNode(['--import', 'tsx', 'bench/train.ts', '--quick', '--seconds', '0.2', '--json']);
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout.trim()) as {
    results: Array<{
      engine: string;
      width: number;
      depth: number;
      batch: number;
      trials: number;
      samplesPerSec: number | null;
      note?: string;
    }>;
    targets: Array<{ width: number; depth: number; met: boolean | null }>;
  };
  for (const [width, depth] of [
    [10, 8],
    [32, 2],
  ]) {
    const at = out.results.filter((r) => r.width === width && r.depth === depth && r.batch === 32);
    assert.deepEqual(at.map((r) => `${r.engine}:${r.trials}`).sort(), ['fast:1', 'fast:16', 'fast:4', 'layers:1', 'torch:1']);
    for (const r of at.filter((r) => r.engine !== 'torch')) assert.ok(r.samplesPerSec! > 0, `${r.engine} ${r.trials}`);
    const torch = at.find((r) => r.engine === 'torch')!;
    // PyTorch is measured when Debian's python3-torch is installed, else reported with the reason
    assert.ok(torch.samplesPerSec !== null ? torch.samplesPerSec > 0 : /torch: unavailable/.test(torch.note ?? ''), JSON.stringify(torch));
  }
  assert.equal(out.targets.length, 2);
});
