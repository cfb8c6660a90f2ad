/**
 * The real workload of bench:search-peer (#14): this project's TPE against random search on a
 * residual-LSTM sweep through the real queue, with real worker processes and real training.
 *
 * Strawberry (../shared/datasets: 613 train series of 235 steps) under holdout (a stratified 20%
 * of the train file, 123 series): large enough that validation losses separate configurations,
 * unlike the 67-series ItalyPowerDemand of bench:search, where every method ties. The space mixes
 * what a user sweeps: patch (int 2-32, log), depth 1-3, width 8-64 (log), dropout 0-0.5 and the
 * learning rate 1e-4-3e-2 (log), 40 epochs with early stopping (patience 8). Both methods get
 * the same budget, the same model seeds and `parallelism` 2 (one trial per worker); the figure
 * is the best validation loss each sweep found (no known optimum: lower is better).
 */
import { existsSync } from 'node:fs';
import { DATASETS_DIR } from './published.js';
import { median, round } from './common.js';
import { runSweep, startSweepRig } from './sweep-rig.js';
import path from 'node:path';

export const REAL_WORKLOAD = 'strawberry-lstm';
const DATASET = path.join(DATASETS_DIR, 'Strawberry');
const SPACE = [
  '  patch: { min: 2, max: 32, log: true }',
  '  depth: { min: 1, max: 3 }',
  '  width: { min: 8, max: 64, log: true }',
  '  dropout: { min: 0, max: 0.5 }',
  '  learningRate: { min: 0.0001, max: 0.03, log: true }',
  '  epochs: [40]',
  '  patience: [8]',
];

export interface RealWorkloadOptions {
  seeds: number[];
  budget: number;
  workers: number;
  log: (line: string) => void;
}

export interface RealWorkloadResult {
  objective: typeof REAL_WORKLOAD;
  budget: number;
  /** best validation loss per seed */
  perSeed: Record<'lsw-tpe' | 'random', number[]>;
  median: Record<'lsw-tpe' | 'random', number>;
  /** the target: TPE's median over seeds not worse than random's */
  tpeNotWorseThanRandom: boolean;
  seconds: number;
}

function spec(method: 'tpe' | 'random', seed: number, budget: number): string {
  return [
    `name: peer-real-${method}-s${seed}`,
    `dataset: { train: ${path.join(DATASET, 'train.csv')}, format: ucr, protocol: holdout, validationSplit: 0.2, splitSeed: 0 }`,
    'metric: { name: valLoss, goal: minimize }',
    `method: ${method}`,
    `count: ${budget}`,
    ...(method === 'tpe' ? ['parallelism: 2'] : []),
    `seeds: [${seed}]`,
    `samplerSeed: ${seed}`,
    'baseline: none',
    'parameters:',
    ...SPACE,
  ].join('\n');
}

export async function runRealWorkload(opts: RealWorkloadOptions): Promise<RealWorkloadResult | string> {
  if (!existsSync(path.join(DATASET, 'train.csv'))) return `${DATASET} not found (the shared datasets next to the repo)`;
  const started = performance.now();
  const rig = await startSweepRig('search-real', opts.workers);
  const perSeed: RealWorkloadResult['perSeed'] = { 'lsw-tpe': [], random: [] };
  try {
    for (const seed of opts.seeds) {
      for (const method of ['tpe', 'random'] as const) {
        const { sweepId, seconds } = await runSweep(rig, `${method}-${seed}.yaml`, spec(method, seed, opts.budget), { failOnFailed: true });
        const losses = (await rig.store.getResults(sweepId)).map((r) => r.metrics.valLoss).filter(Number.isFinite);
        const best = Math.min(...losses);
        perSeed[method === 'tpe' ? 'lsw-tpe' : 'random'].push(round(best, 5));
        opts.log(
          `${REAL_WORKLOAD} seed ${seed} ${method}: best valLoss ${best.toFixed(4)} of ${losses.length} trials (${seconds.toFixed(0)} s)`,
        );
      }
    }
  } finally {
    await rig.cleanup();
  }
  const med = { 'lsw-tpe': round(median(perSeed['lsw-tpe']), 5), random: round(median(perSeed.random), 5) };
  return {
    objective: REAL_WORKLOAD,
    budget: opts.budget,
    perSeed,
    median: med,
    tpeNotWorseThanRandom: med['lsw-tpe'] <= med.random,
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
