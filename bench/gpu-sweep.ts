/**
 * bench:gpu-sweep, the issue's sweep target (#16): one sweep of 64 trials x 5-fold
 * cross-validation on the shared GunPoint set (../shared/datasets/GunPoint, read in place) through
 * the queue, run twice in one run, each side on a fresh key prefix of the local Redis:
 *   (a) gpu:  one `worker --engine gpu --pack P` process (its trials and their folds packed);
 *   (b) fast: one `worker --engine fast --concurrency N` process, N = os.availableParallelism()
 *       (one trial per core, as the README's "Which worker to choose" says).
 * Both through the built CLI: `enqueue --json`, then `status --json` until every trial has ended.
 * Wall time runs from the start of the enqueue to the status that showed the end; the ratio is
 * fast wall / gpu wall (above 1: the GPU worker finished first, which is the target).
 *
 * One architecture (depth 2, width 32, so every trial packs with every other), random learning
 * rate and dropout, E epochs with the refit budget chosen on the folds, no MiniRocket baseline.
 * On a software adapter (SwiftShader) the gpu side is marked cpuEmulation: no speed claims.
 *
 *   npm run bench:gpu-sweep -- [--json] [--trials 64] [--epochs 150] [--folds 5] [--pack 64]
 *                             [--cores N] [--timeout-s S] [--gpu-optional]
 *
 * Without a WebGPU adapter it exits 2 with the reason; with --gpu-optional it runs the fast side only.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { StatusCounts } from '../src/store/records.js';
import { REPO_ROOT, parseArgs, round } from './common.js';
import { EMULATION, findAdapter, type Adapter } from './gpu-adapter.js';
import { runSweepViaCli, startSweepRig } from './sweep-rig.js';

const GUNPOINT = path.resolve(REPO_ROOT, '..', 'shared', 'datasets', 'GunPoint');
const WIDTH = 32;
const DEPTH = 2;

const SettingsSchema = z.object({
  json: z.boolean(),
  gpuOptional: z.boolean(),
  trials: z.number().int().min(1).max(10_000),
  epochs: z.number().int().min(1).max(10_000),
  folds: z.number().int().min(2).max(20),
  pack: z.number().int().min(1).max(256),
  cores: z.number().int().min(1).max(256),
  timeoutS: z.number().positive().optional(),
});
type Settings = z.infer<typeof SettingsSchema>;

function usageError(message: string): never {
  console.error(`bench:gpu-sweep: ${message}`);
  process.exit(2);
}

function parse(argv: string[]): Settings {
  try {
    const a = parseArgs(argv, { flags: ['json', 'gpu-optional'], numbers: ['trials', 'epochs', 'folds', 'pack', 'cores', 'timeout-s'] });
    const r = SettingsSchema.safeParse({
      json: a.flags.has('json'),
      gpuOptional: a.flags.has('gpu-optional'),
      trials: a.numbers.get('trials') ?? 64,
      epochs: a.numbers.get('epochs') ?? 150,
      folds: a.numbers.get('folds') ?? 5,
      pack: a.numbers.get('pack') ?? 64,
      cores: a.numbers.get('cores') ?? os.availableParallelism(),
      timeoutS: a.numbers.get('timeout-s'),
    });
    if (!r.success) usageError(r.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
    return r.data;
  } catch (err) {
    usageError((err as Error).message);
  }
}

/** The sweep both sides run: one architecture, `trials` random (learning rate, dropout), k-fold cv. */
function sweepSpec(s: Settings, side: string): object {
  return {
    name: `bench-gpu-sweep-${side}`,
    dataset: {
      train: path.join(GUNPOINT, 'train.csv'),
      test: path.join(GUNPOINT, 'test.csv'),
      format: 'ucr',
      protocol: 'cv',
      folds: s.folds,
    },
    method: 'random',
    count: s.trials,
    samplerSeed: 1,
    parameters: {
      depth: [DEPTH],
      width: [WIDTH],
      epochs: [s.epochs],
      learningRate: { min: 1e-3, max: 1e-2, log: true },
      dropout: { min: 0, max: 0.4 },
    },
    baseline: 'none',
  };
}

interface SideFigures {
  side: 'gpu' | 'fast';
  worker: string;
  wallS: number;
  completed: number;
  failed: number;
  trialsPerMin: number;
  failures?: string[];
  cpuEmulation?: boolean;
}

async function runSide(s: Settings, side: 'gpu' | 'fast'): Promise<SideFigures> {
  const workerArgs =
    side === 'gpu' ? ['--engine', 'gpu', '--pack', String(s.pack)] : ['--engine', 'fast', '--concurrency', String(s.cores)];
  const worker = `worker ${workerArgs.join(' ')}`;
  const log = (text: string) => process.stderr.write(`[bench:gpu-sweep ${side}] ${text}\n`);
  const rig = await startSweepRig(`gpu-sweep-${side}`, 1, workerArgs);
  try {
    log(`${worker} on prefix ${rig.prefix}: ${s.trials} trials x ${s.folds}-fold cv, ${s.epochs} epochs`);
    const run = await runSweepViaCli(rig, 'sweep.json', JSON.stringify(sweepSpec(s, side)), {
      timeoutS: s.timeoutS,
      onProgress: (c: StatusCounts, t) =>
        log(`${round(t)} s: completed ${c.completed} failed ${c.failed} active ${c.active} waiting ${c.waiting} of ${c.total}`),
    });
    const failures = run.counts.failed > 0 ? (await rig.store.getFailures(run.sweepId)).slice(0, 3).map((f) => f.reason) : [];
    return {
      side,
      worker,
      wallS: round(run.seconds, 2),
      completed: run.counts.completed,
      failed: run.counts.failed,
      trialsPerMin: round((run.counts.completed / run.seconds) * 60, 2),
      ...(failures.length ? { failures } : {}),
    };
  } finally {
    await rig.cleanup();
  }
}

function printTable(report: { adapter: Adapter; sides: SideFigures[]; ratioFastOverGpu: number | null; note?: string }): void {
  if (report.note) console.log(report.note);
  console.log(`adapter: ${report.adapter?.description ?? 'none'}`);
  console.log(['side', 'worker', 'wall s', 'completed', 'failed', 'trials/min'].join('\t'));
  for (const f of report.sides) {
    console.log([f.side + (f.cpuEmulation ? ' (emulated)' : ''), f.worker, f.wallS, f.completed, f.failed, f.trialsPerMin].join('\t'));
  }
  if (report.ratioFastOverGpu !== null) console.log(`fast wall / gpu wall: ${report.ratioFastOverGpu} (target > 1)`);
}

async function main(): Promise<void> {
  const s = parse(process.argv.slice(2));
  if (!existsSync(path.join(GUNPOINT, 'train.csv')))
    usageError(`the shared GunPoint set is not at ${GUNPOINT} (see ../shared/datasets/README.md)`);
  const { adapter, reason, listed } = await findAdapter();
  if (!adapter && !s.gpuOptional) usageError(`${reason} (--gpu-optional runs the fast side only)`);
  const cpuEmulation = adapter?.software ?? false;
  process.stderr.write(`[bench:gpu-sweep] adapters: ${listed}; ${s.cores} cores\n`);
  if (cpuEmulation && !s.json) console.log(EMULATION);

  const started = Date.now();
  const sides: SideFigures[] = [];
  if (adapter) sides.push({ ...(await runSide(s, 'gpu')), ...(cpuEmulation ? { cpuEmulation } : {}) });
  sides.push(await runSide(s, 'fast'));
  const gpu = sides.find((f) => f.side === 'gpu');
  const fast = sides.find((f) => f.side === 'fast')!;
  const report = {
    adapter,
    ...(reason ? { adapterReason: reason } : {}),
    cpuEmulation,
    ...(cpuEmulation ? { note: EMULATION } : {}),
    settings: {
      dataset: 'GunPoint',
      trials: s.trials,
      folds: s.folds,
      epochs: s.epochs,
      width: WIDTH,
      depth: DEPTH,
      pack: s.pack,
      cores: s.cores,
    },
    host: { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    sides,
    ratioFastOverGpu: gpu ? round(fast.wallS / gpu.wallS, 3) : null,
    wallS: round((Date.now() - started) / 1000, 1),
  };
  if (s.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else printTable(report);
  if (sides.some((f) => f.failed > 0)) process.exitCode = 1;
}

await main();
