/**
 * bench:train: training throughput of one process on one core, side by side in one run.
 *
 *   layers  the tfjs-layers model with model.fit on the wasm backend (the engine before #4)
 *   fast    lstm-sweep's wasm SIMD engine: one trial, and packs of 4 and 16 trials trained
 *           in turn in the same process
 *   torch   the same residual architecture in PyTorch (bench/torch_train.py, 1 thread) under
 *           /usr/bin/python3 (Debian's python3-torch); reported unavailable when missing
 *
 * samplesPerSec counts the training samples of every trial in the pack per second.
 * Usage: npm run bench:train -- [--json] [--seconds N] [--quick]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import Table from 'cli-table3';
import { buildModel, disposeModel, initBackend } from '../src/model/index.js';
import { copyWeightsFromModel } from '../src/model/fast/layers-bridge.js';
import { FastNetwork } from '../src/model/fast/network.js';
import { planNetwork } from '../src/model/network-plan.js';
import { createRng } from '../src/util/rng.js';
import { parseArgs, REPO_ROOT } from './common.js';

const TIMESTEPS = 32;
const FEATURES = 10;
const DROPOUT = 0.2;
const SHAPES: [number, number][] = [
  [10, 8],
  [32, 2],
  [64, 4],
  [128, 2],
];
const PACKS = [1, 4, 16];
const PYTHON = process.env.LSW_BENCH_PYTHON ?? '/usr/bin/python3';
/** Required (and aimed-for) fast / torch ratios at batch 32, from issue #4. */
const TARGETS: Record<string, { required: number; aim: number }> = {
  '10x8': { required: 1.0, aim: 2.0 },
  '32x2': { required: 0.5, aim: 0.8 },
  '64x4': { required: 0.4, aim: 0.8 },
  '128x2': { required: 0.3, aim: 0.8 },
};

interface Result {
  engine: 'layers' | 'fast' | 'torch';
  width: number;
  depth: number;
  batch: number;
  trials: number;
  samplesPerSec: number | null;
  note?: string;
}

const args = parseArgs(process.argv.slice(2), { flags: ['json', 'quick'], numbers: ['seconds'] });
const json = args.flags.has('json');
const seconds = args.numbers.get('seconds') ?? 2;
const shapes = args.flags.has('quick') ? SHAPES.slice(0, 2) : SHAPES;
const batches = args.flags.has('quick') ? [32] : [32, 128];

function data(batch: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = createRng(seed);
  return {
    x: Float32Array.from({ length: batch * TIMESTEPS * FEATURES }, () => rng() * 2 - 1),
    y: Float32Array.from({ length: batch }, (_, i) => i % 2),
  };
}

const config = (width: number, depth: number, seed: number) => ({
  depth,
  width,
  head: 'dense' as const,
  dropout: DROPOUT,
  recurrentDropout: 0,
  seed,
  classes: 2,
});

/** Runs `step` (which trains `samplesPerStep` samples) for about `seconds` after a warm-up. */
function rate(step: () => void, samplesPerStep: number): number {
  step();
  let steps = 0;
  const t0 = performance.now();
  do {
    step();
    steps++;
  } while (performance.now() - t0 < seconds * 1000);
  return (steps * samplesPerStep) / ((performance.now() - t0) / 1000);
}

function fastPack(width: number, depth: number, batch: number, trials: number): number {
  const shape = { timesteps: TIMESTEPS, features: FEATURES };
  const { x, y } = data(batch, 1);
  const rows = Array.from({ length: batch }, (_, i) => i);
  const nets = Array.from({ length: trials }, (_, k) => {
    const model = buildModel(shape, config(width, depth, k));
    const net = new FastNetwork(planNetwork(shape, config(width, depth, k)), { maxBatch: batch, seed: k });
    copyWeightsFromModel(net, model);
    disposeModel(model);
    return net;
  });
  return rate(() => {
    for (const net of nets) {
      net.setInput(x, rows);
      net.forward(true);
      net.backward(y);
      net.adam(1e-3);
    }
  }, batch * trials);
}

async function layersFit(width: number, depth: number, batch: number): Promise<number> {
  const shape = { timesteps: TIMESTEPS, features: FEATURES };
  const model = buildModel(shape, config(width, depth, 0));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  const { x, y } = data(batch, 1);
  const xt = tf.tensor3d(x, [batch, TIMESTEPS, FEATURES]);
  const yt = tf.tensor2d(y, [batch, 1]);
  const fit = () => model.fit(xt, yt, { batchSize: batch, epochs: 1, verbose: 0, shuffle: false });
  await fit();
  let steps = 0;
  const t0 = performance.now();
  do {
    await fit();
    steps++;
  } while (performance.now() - t0 < seconds * 1000);
  const perSec = (steps * batch) / ((performance.now() - t0) / 1000);
  tf.dispose([xt, yt]);
  disposeModel(model);
  return perSec;
}

function torch(width: number, depth: number, batch: number): { samplesPerSec: number | null; note?: string } {
  const script = path.join(REPO_ROOT, 'bench', 'torch_train.py');
  const run = spawnSync(
    PYTHON,
    [script, String(width), String(depth), String(batch), String(TIMESTEPS), String(FEATURES), String(seconds)],
    {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    },
  );
  if (run.error) return { samplesPerSec: null, note: `torch: unavailable (${run.error.message})` };
  if (run.status !== 0) {
    const reason = run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`;
    return { samplesPerSec: null, note: `torch: unavailable (${reason}; install Debian python3-torch and libopenblas0-pthread)` };
  }
  return { samplesPerSec: (JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { samplesPerSec: number }).samplesPerSec };
}

function progress(text: string): void {
  if (!json) process.stderr.write(`${text}\n`);
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const results: Result[] = [];
  for (const batch of batches) {
    for (const [width, depth] of shapes) {
      progress(`(${width}, ${depth}) batch ${batch}`);
      const t = torch(width, depth, batch);
      results.push({
        engine: 'torch',
        width,
        depth,
        batch,
        trials: 1,
        samplesPerSec: t.samplesPerSec,
        ...(t.note ? { note: t.note } : {}),
      });
      for (const trials of PACKS)
        results.push({ engine: 'fast', width, depth, batch, trials, samplesPerSec: fastPack(width, depth, batch, trials) });
      results.push({ engine: 'layers', width, depth, batch, trials: 1, samplesPerSec: await layersFit(width, depth, batch) });
    }
  }
  const torchOf = (r: Result) =>
    results.find((t) => t.engine === 'torch' && t.width === r.width && t.depth === r.depth && t.batch === r.batch)?.samplesPerSec ?? null;
  const ratios = results
    .filter((r) => r.engine !== 'torch')
    .map((r) => {
      const base = torchOf(r);
      return {
        engine: r.engine,
        width: r.width,
        depth: r.depth,
        batch: r.batch,
        trials: r.trials,
        vsTorch: base && r.samplesPerSec ? r.samplesPerSec / base : null,
      };
    });
  const targets = shapes.map(([width, depth]) => {
    const best = Math.max(
      ...ratios.filter((r) => r.engine === 'fast' && r.width === width && r.depth === depth && r.batch === 32).map((r) => r.vsTorch ?? NaN),
    );
    const target = TARGETS[`${width}x${depth}`]!;
    return {
      width,
      depth,
      batch: 32,
      bestFastVsTorch: Number.isFinite(best) ? best : null,
      ...target,
      met: Number.isFinite(best) ? best >= target.required : null,
    };
  });
  const speedups = results
    .filter((r) => r.engine === 'fast' && r.trials === 1)
    .map((r) => {
      const layers = results.find((l) => l.engine === 'layers' && l.width === r.width && l.depth === r.depth && l.batch === r.batch)!;
      return { width: r.width, depth: r.depth, batch: r.batch, fastVsLayers: r.samplesPerSec! / layers.samplesPerSec! };
    });
  const environment = {
    node: process.version,
    timesteps: TIMESTEPS,
    features: FEATURES,
    dropout: DROPOUT,
    recurrentDropout: 0,
    secondsPerMeasurement: seconds,
    layersBackend: tf.getBackend(),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify({ results, ratios, targets, speedups, environment })}\n`);
    return;
  }
  const table = new Table({ head: ['width x depth', 'batch', 'engine', 'trials', 'samples/s', 'vs torch'] });
  for (const r of results) {
    const ratio =
      r.engine === 'torch'
        ? 1
        : ratios.find(
            (q) => q.engine === r.engine && q.width === r.width && q.depth === r.depth && q.batch === r.batch && q.trials === r.trials,
          )?.vsTorch;
    table.push([
      `${r.width} x ${r.depth}`,
      r.batch,
      r.engine,
      r.trials,
      r.samplesPerSec === null ? (r.note ?? 'n/a') : Math.round(r.samplesPerSec),
      ratio == null ? '-' : `${ratio.toFixed(2)}x`,
    ]);
  }
  console.log(table.toString());
  for (const t of targets) {
    console.log(
      `target (${t.width}, ${t.depth}) batch 32: fast ${t.bestFastVsTorch?.toFixed(2) ?? '?'}x torch, required ${t.required}x, aim ${t.aim}x: ${t.met === null ? 'torch unavailable' : t.met ? 'met' : 'MISSED'}`,
    );
  }
}

await main();
