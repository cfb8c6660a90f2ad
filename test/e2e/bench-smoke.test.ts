/**
 * bench/queue.ts end to end on a small sweep (real Redis, real worker processes; needs dist/,
 * which `npm test` builds): nothing lost, nothing run twice, the JSON has its documented shape,
 * and the benchmark leaves no keys and no processes behind. Speed is not asserted.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { SWIFTSHADER_ICD, swiftShaderEnv } from '../../src/model/gpu/device.js';
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

test('bench:scale --trials 500 --json: every trial once, each figure next to its target, no keys left', { timeout: 240_000 }, async () => {
  const { code, stdout, stderr } = await runNode(['--import', 'tsx', 'bench/scale.ts', '--trials', '500', '--json', '--redis', REDIS_URL]);
  assert.equal(code, 0, stderr);
  const r = JSON.parse(stdout.trim()) as Record<string, unknown> & {
    api: Record<string, { ms: number; bytes: number; status: number; target: number; met: boolean }>;
    memory: { bytesPerFinishedTrial: number; keys: Record<string, number> };
    cancel: { removed: number; ms: number; target: number };
    resume: { enqueued: number };
  };
  assert.deepEqual([r.trials, r.workers, r.completed, r.lost, r.doubled, r.failed], [500, 2, 500, 0, 0, 0]);
  // Sweep B: every one of its 500 waiting trials cancelled, then every one queued again.
  assert.equal(r.cancel.removed, 500);
  assert.equal(r.resume.enqueued, 500);
  for (const name of ['enqueue', 'status', 'leaderboardTop10', 'sweeps', 'cancel', 'resume']) {
    const t = r[name] as { ms: number; target: number; met: boolean };
    assert.ok(t.ms > 0 && t.target > 0 && typeof t.met === 'boolean', name);
  }
  for (const [name, a] of Object.entries(r.api)) assert.equal(a.status, 200, `GET ${name}`);
  // Paged: the default page is 100 rows, far below the 500 results.
  assert.ok(r.api.leaderboard!.bytes < r.api.leaderboardLimit1000!.bytes / 3, JSON.stringify(r.api.leaderboard));
  assert.ok(r.memory.bytesPerFinishedTrial > 0 && r.memory.keys.results! > 0);

  const prefix = /lswbench-scale-\d+-[0-9a-f]+/.exec(stderr)?.[0];
  assert.ok(prefix, stderr);
  const redis = new Redis(REDIS_URL);
  try {
    const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 100_000);
    assert.deepEqual(keys, [], `keys left under ${prefix}`);
  } finally {
    redis.disconnect();
  }
});

test('bench:patch --epochs 1 --json: one row per dataset and patch size, the documented JSON', { timeout: 120_000 }, async () => {
  const args = ['--import', 'tsx', 'bench/patch.ts', '--epochs', '1', '--datasets', 'ECG200', '--patches', '1,4', '--json'];
  const { code, stdout, stderr } = await runNode(args);
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout.trim()) as {
    epochs: number;
    rows: Array<{ dataset: string; timesteps: number; patch: number; steps: number; secPerEpoch: number; cpuSecPerEpoch: number }>;
  };
  assert.equal(out.epochs, 1);
  assert.deepEqual(
    out.rows.map((r) => [r.dataset, r.timesteps, r.patch, r.steps]),
    [
      ['ECG200', 96, 1, 96],
      ['ECG200', 96, 4, 24],
    ],
  );
  for (const r of out.rows) assert.ok(r.secPerEpoch > 0 && r.cpuSecPerEpoch > 0, JSON.stringify(r));
});

test(
  'bench:search-queue --budget 24 --parallel 8 --seeds 1 --json: no duplicates, the documented JSON, no keys left',
  { timeout: 120_000 },
  async () => {
    const args = ['--import', 'tsx', 'bench/search-queue.ts', '--objective', 'branin', '--budget', '24', '--parallel', '8'];
    const { code, stdout, stderr } = await runNode([...args, '--seeds', '1', '--workers', '1', '--concurrency', '4', '--json']);
    assert.equal(code, 0, stderr);
    type Side = { medianRegret: number; iqr: [number, number]; trialsPerSec: number };
    const out = JSON.parse(stdout.trim()) as {
      objective: string;
      budget: number;
      parallel: number;
      parameters: string[];
      queue: Side & { duplicates: number; failed: number; perSeed: unknown[] };
      sequential: Side;
      random: Side;
      ratio: number;
    };
    assert.deepEqual([out.objective, out.budget, out.parallel], ['branin', 24, 8]);
    assert.deepEqual(out.parameters, ['dropout -> x1', 'recurrentDropout -> x2']);
    assert.deepEqual([out.queue.duplicates, out.queue.failed, out.queue.perSeed.length], [0, 0, 1]);
    for (const side of [out.queue, out.sequential, out.random]) {
      assert.ok(side.medianRegret >= 0 && side.iqr[0] <= side.medianRegret && side.medianRegret <= side.iqr[1], JSON.stringify(side));
      assert.ok(side.trialsPerSec > 0);
    }
    assert.equal(typeof out.ratio, 'number');

    const prefix = /lswbench-searchq-\d+-[0-9a-f]+/.exec(stderr)?.[0];
    assert.ok(prefix, stderr);
    const redis = new Redis(REDIS_URL);
    try {
      const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 100_000);
      assert.deepEqual(keys, [], `keys left under ${prefix}`);
    } finally {
      redis.disconnect();
    }
  },
);

interface GpuBenchFigure {
  kind: string;
  trials: number;
  recurrentDropout: number;
  samplesPerSec: number | null;
  cpuEmulation?: boolean;
  reason?: string;
}
interface GpuBenchReport {
  engine: string;
  adapter: { name: string; software: boolean } | null;
  cpuEmulation: boolean;
  note?: string;
  quick: boolean;
  torch: unknown;
  torchReason?: string;
  figures: GpuBenchFigure[];
  shapes: Array<{ width: number; depth: number; packedBest: { trials: number } | null; ratios: Record<string, number | null> }>;
}

const gpuBench = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runNode(['--import', 'tsx', 'bench/gpu.ts', '--json', '--quick', '--shapes', '10x8', '--seconds', '0.3', ...args], env);

/** Every measured figure is finite and positive; one not measured says why. */
function assertGpuBenchShape(out: GpuBenchReport): void {
  assert.equal(out.quick, true);
  const kinds = out.figures.map((f) => `${f.kind}:${f.trials}:${f.recurrentDropout}`);
  for (const expected of ['torch:1:0', 'torch:8:0', 'fast:1:0.2', 'packed:2:0.2'])
    assert.ok(kinds.includes(expected), `${expected} in ${kinds}`);
  // the best K again without recurrent dropout (cuDNN's case): which K is best is measured
  const best = out.shapes[0]!.packedBest;
  assert.ok(best && kinds.includes(`packed:${best.trials}:0`), `packed:<best K>:0 in ${kinds}`);
  assert.ok(
    out.figures.some((f) => f.kind === 'fast' && f.trials === os.availableParallelism()),
    'fast on every core',
  );
  for (const f of out.figures.filter((f) => f.kind !== 'torch')) {
    assert.ok(f.samplesPerSec !== null && Number.isFinite(f.samplesPerSec) && f.samplesPerSec > 0, JSON.stringify(f));
  }
  // PyTorch with CUDA is measured where present, else null with the reason
  if (out.torch === null) assert.match(out.torchReason ?? '', /\S/);
  for (const f of out.figures.filter((f) => f.kind === 'torch'))
    assert.ok(f.samplesPerSec !== null ? f.samplesPerSec > 0 : /torch/.test(f.reason ?? ''), JSON.stringify(f));
  const shape = out.shapes[0]!;
  assert.deepEqual([shape.width, shape.depth], [10, 8]);
  assert.ok(shape.packedBest !== null);
  assert.ok(shape.ratios.vsFastCores! > 0 && Number.isFinite(shape.ratios.vsFastCores!));
}

test(
  'bench:gpu --json --quick on SwiftShader: the packed engine gpu, every packed figure marked CPU emulation',
  { timeout: 240_000 },
  async () => {
    const env = swiftShaderEnv();
    assert.ok(env, `SwiftShader is missing (${SWIFTSHADER_ICD}): install chromium and libvulkan1`);
    const { code, stdout, stderr } = await gpuBench(['--ks', '2'], env);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout.trim()) as GpuBenchReport;
    assert.equal(out.engine, 'gpu');
    assert.equal(out.adapter?.software, true);
    assert.equal(out.cpuEmulation, true);
    assert.equal(out.note, 'CPU emulation: no speed claims');
    assertGpuBenchShape(out);
    const packed = out.figures.filter((f) => f.kind === 'packed');
    assert.ok(packed.some((f) => f.trials === 2));
    for (const f of packed) assert.equal(f.cpuEmulation, true, JSON.stringify(f));
  },
);
