/**
 * Search benchmark: one real dataset (ItalyPowerDemand from ../shared/datasets; model selection on
 * a validation split of its train file only), one space of 48 configurations (depth x width x
 * dropout x learning rate), four ways, each repeated over 3 seeds (model seed and sampler seed):
 *   grid    every configuration, trained to the epoch budget
 *   asha    the same grid with ASHA early termination (minEpochs 1, reductionFactor 3)
 *   tpe     TPE with a budget of 25% of the grid's trials (12), parallelism 2
 *   random  random search with the same budget as TPE
 * Real worker processes (2, one per core) train every trial through the real queue.
 *
 *   npm run bench:search -- [--json] [--seeds 3] [--epochs 27] [--workers 2]
 *
 * Prints the medians over seeds as {"grid": {"best", "epochs", "trials", "seconds"}, "asha": ...,
 * "tpe": ..., "random": ...}, `best` being the best validation metric (valLoss, lower is better:
 * with ~20 validation series AUC and accuracy saturate at 1.0 and cannot tell methods apart) and
 * `epochs` the epochs trained by all trials together, plus the per-seed figures and the targets.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, median, parseArgs, round } from './common.js';
import { runSweep, startSweepRig, type SweepRig } from './sweep-rig.js';

const DATASET = path.resolve(REPO_ROOT, '..', 'shared', 'datasets', 'ItalyPowerDemand');
const METHODS = ['grid', 'asha', 'tpe', 'random'] as const;
type Method = (typeof METHODS)[number];

interface RunResult {
  best: number;
  epochs: number;
  trials: number;
  seconds: number;
}

const SPACE = ['  depth: [1, 2, 3]', '  width: [8, 16, 32, 64]', '  dropout: [0.0, 0.2]', '  learningRate: [0.003, 0.01]'];
const GRID_SIZE = 48;
const BUDGET = GRID_SIZE / 4;

function specFor(method: Method, seed: number, epochs: number): string[] {
  const head = [
    `name: bench-${method}-s${seed}`,
    `dataset: { train: ${path.join(DATASET, 'train.csv')}, format: ucr, protocol: holdout, validationSplit: 0.3, splitSeed: 0 }`,
    'metric: { name: valLoss, goal: minimize }',
    `seeds: [${seed}]`,
    `samplerSeed: ${seed}`,
  ];
  // protocol holdout and no clipping: the settings the README's figures were measured with
  const params = ['parameters:', ...SPACE, '  batchSize: [16]', `  epochs: [${epochs}]`, '  patience: [0]', '  clipNorm: [0]'];
  switch (method) {
    case 'grid':
      return [...head, 'method: grid', ...params];
    case 'asha':
      return [...head, 'method: grid', 'earlyTerminate: { type: asha, minEpochs: 1, reductionFactor: 3 }', ...params];
    case 'tpe':
      return [...head, 'method: tpe', `count: ${BUDGET}`, 'parallelism: 2', ...params];
    case 'random':
      return [...head, 'method: random', `count: ${BUDGET}`, ...params];
  }
}

async function runMethod(rig: SweepRig, method: Method, seed: number, epochs: number): Promise<RunResult> {
  const { sweepId, seconds } = await runSweep(rig, `${method}-${seed}.yaml`, specFor(method, seed, epochs).join('\n'));
  const results = await rig.store.getResults(sweepId);
  const losses = results.map((r) => r.metrics.valLoss).filter(Number.isFinite);
  return { best: Math.min(...losses), epochs: results.reduce((n, r) => n + r.epochsRun, 0), trials: results.length, seconds };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { flags: ['json'], numbers: ['seeds', 'epochs', 'workers'] });
  const seeds = args.numbers.get('seeds') ?? 3;
  const epochs = args.numbers.get('epochs') ?? 27;
  const workerCount = args.numbers.get('workers') ?? 2;
  const log = (msg: string) => console.error(`[bench:search] ${msg}`);
  if (!existsSync(path.join(DATASET, 'train.csv'))) {
    console.error(`bench:search needs ${DATASET} (the UCR datasets next to the repo)`);
    process.exit(2);
  }
  const rig = await startSweepRig('search', workerCount, ['--backend', 'wasm']);
  try {
    const runs: Record<Method, RunResult[]> = { grid: [], asha: [], tpe: [], random: [] };
    for (let seed = 1; seed <= seeds; seed++) {
      for (const method of METHODS) {
        const r = await runMethod(rig, method, seed, epochs);
        runs[method].push(r);
        log(`seed ${seed} ${method}: best valLoss ${r.best.toFixed(4)}, ${r.trials} trials, ${r.epochs} epochs, ${r.seconds.toFixed(0)} s`);
      }
    }
    const summary = Object.fromEntries(
      METHODS.map((m) => [
        m,
        {
          best: round(median(runs[m].map((r) => r.best)), 4),
          epochs: median(runs[m].map((r) => r.epochs)),
          trials: median(runs[m].map((r) => r.trials)),
          seconds: round(median(runs[m].map((r) => r.seconds)), 1),
        },
      ]),
    ) as Record<Method, RunResult>;
    const targets = {
      ashaWithin001: summary.asha.best - summary.grid.best <= 0.01,
      ashaEpochsAtMost40pct: summary.asha.epochs <= 0.4 * summary.grid.epochs,
      tpeWithin001: summary.tpe.best - summary.grid.best <= 0.01,
      tpeBeatsRandom: summary.tpe.best < summary.random.best,
    };
    const output = {
      dataset: 'ItalyPowerDemand',
      metric: 'valLoss (minimize)',
      seeds,
      epochBudget: epochs,
      ...summary,
      perSeed: runs,
      targets,
    };
    if (args.flags.has('json')) {
      console.log(JSON.stringify(output));
    } else {
      console.log(`ItalyPowerDemand, 48-configuration space, medians over ${seeds} seeds (valLoss, lower is better)`);
      console.log('method   best     epochs  trials  seconds');
      for (const m of METHODS) {
        const s = summary[m];
        console.log(
          `${m.padEnd(8)} ${s.best.toFixed(4)}  ${String(s.epochs).padStart(6)}  ${String(s.trials).padStart(6)}  ${String(s.seconds).padStart(7)}`,
        );
      }
      console.log(`targets: ${JSON.stringify(targets)}`);
    }
  } finally {
    await rig.cleanup();
  }
}

await main();
