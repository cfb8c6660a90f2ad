/**
 * bench:accuracy: what lstm-sweep's defaults reach on real UCR/UEA data, next to the published
 * baselines in ../shared/datasets/README.md. Per dataset, one sweep whose spec names only the
 * files and a small grid (everything else is a default: protocol auto = 5-fold cross-validation
 * for train files up to 300 series, metric valAuc, epochs, clipping...), trained by real worker
 * processes through the real queue. Reported per dataset:
 *   - the best-by-validation trial (top of the leaderboard): its config, validation metric and
 *     test accuracy (the test file is never used to pick anything);
 *   - the best configuration by its mean over seeds: mean test accuracy and the seed ensemble's;
 *   - residual vs plain: the best depth-2 configuration again with residual: false;
 *   - dense vs lstm head: the best configuration again with head: lstm (binary tasks).
 *
 *   npm run bench:accuracy -- [--json] [--datasets GunPoint,ECG200] [--seeds 2] [--workers 2]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Metric } from '../src/definition/sweep-spec.js';
import type { TrialConfig } from '../src/model/trial-config.js';
import { bySeedGroups } from '../src/store/aggregate.js';
import type { LeaderboardRow } from '../src/store/records.js';
import { REPO_ROOT, parseArgs, round } from './common.js';
import { runSweep, startSweepRig, type SweepRig } from './sweep-rig.js';

const DATASETS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'datasets');
const ALL = ['GunPoint', 'ItalyPowerDemand', 'ECG200', 'Strawberry', 'BasicMotions'] as const;
const FORMAT: Record<string, 'ucr' | 'long'> = { BasicMotions: 'long' };
/** The documented grid, the same for every dataset; everything else is a default. */
const GRID = { depth: [1, 2], dropout: [0.0, 0.2] };
/** Required test accuracy of the best-by-validation trial (issue #7); aim: 1-NN DTW. */
const REQUIRED: Record<string, number> = { GunPoint: 0.913, BasicMotions: 0.975, ItalyPowerDemand: 0.95, ECG200: 0.83, Strawberry: 0.9 };

const args = parseArgs(process.argv.slice(2), { flags: ['json'], numbers: ['seeds', 'workers'], strings: ['datasets'] });
const json = args.flags.has('json');
const seeds = args.numbers.get('seeds') ?? 2;
const workerCount = args.numbers.get('workers') ?? 2;
const datasets = (args.strings.get('datasets')?.split(',') ?? [...ALL]).map((d) => d.trim());
for (const d of datasets) if (!(ALL as readonly string[]).includes(d)) throw new Error(`unknown dataset ${d} (known: ${ALL.join(', ')})`);
if (!Number.isInteger(seeds) || !Number.isInteger(workerCount)) throw new Error('--seeds and --workers need whole numbers');

const log = (msg: string) => {
  if (!json) console.error(`[bench:accuracy] ${msg}`);
};

/** Published test accuracies from the datasets' README table (and BasicMotions' DTW figure from its text). */
function baselines(): Map<string, Record<string, number>> {
  const text = readFileSync(path.join(DATASETS_DIR, 'README.md'), 'utf8');
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('| dataset | 1-NN'))!;
  const names = header
    .split('|')
    .slice(2, -1)
    .map((s) => s.trim());
  const out = new Map<string, Record<string, number>>();
  for (const line of lines) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((s) => s.trim());
    if (cells.length !== names.length + 1 || !(ALL as readonly string[]).includes(cells[0]!)) continue;
    const row: Record<string, number> = {};
    names.forEach((n, i) => {
      const v = Number(cells[i + 1]);
      if (Number.isFinite(v) && cells[i + 1] !== '—') row[n] = v;
    });
    if (Object.keys(row).length) out.set(cells[0]!, row);
  }
  const dtw = /BasicMotions: 1-NN with dependent DTW reaches about ([0-9.]+)/.exec(text);
  if (dtw) out.set('BasicMotions', { '1-NN DTW (dependent)': Number(dtw[1]) });
  return out;
}

function specText(name: string, parameters: Record<string, unknown[]>): string {
  const dir = path.join(DATASETS_DIR, name);
  return [
    `name: accuracy-${name}`,
    `dataset: { train: ${path.join(dir, 'train.csv')}, test: ${path.join(dir, 'test.csv')}, format: ${FORMAT[name] ?? 'ucr'} }`,
    'parameters:',
    ...Object.entries(parameters).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    `seeds: [${Array.from({ length: seeds }, (_, i) => i).join(', ')}]`,
  ].join('\n');
}

/** Runs one sweep of the benchmark; its leaderboard comes back with test predictions (for ensembles). */
async function sweep(
  rig: SweepRig,
  file: string,
  text: string,
): Promise<{ rows: LeaderboardRow[]; protocol: string; seconds: number; metric: Metric }> {
  const { sweepId, spec, seconds } = await runSweep(rig, file, text, { failOnFailed: true });
  return {
    rows: await rig.store.leaderboard(sweepId, spec.metric, -1, { withPredictions: true }),
    protocol: spec.dataset.protocol,
    seconds,
    metric: spec.metric,
  };
}

const configOf = (c: Omit<TrialConfig, 'seed'>) => {
  const { depth, width, dropout, head, residual } = c;
  return { depth, width, dropout, head, ...(residual === false ? { residual } : {}) };
};
const asGrid = (c: Omit<TrialConfig, 'seed'>) => Object.fromEntries(Object.entries(configOf(c)).map(([k, v]) => [k, [v]]));

async function main(): Promise<void> {
  for (const d of datasets) {
    if (!existsSync(path.join(DATASETS_DIR, d, 'train.csv'))) {
      console.error(`bench:accuracy needs ${path.join(DATASETS_DIR, d)} (the UCR/UEA datasets next to the repo)`);
      process.exit(2);
    }
  }
  const published = baselines();
  const started = Date.now();
  const rig = await startSweepRig('accuracy', workerCount);
  const results = [];
  try {
    for (const name of datasets) {
      const datasetStarted = Date.now();
      const grid = await sweep(rig, `${name}.yaml`, specText(name, GRID));
      const best = grid.rows[0]!;
      const groups = bySeedGroups(grid.rows, grid.metric);
      const top = groups[0]!;
      log(
        `${name} (${grid.protocol}): best trial ${JSON.stringify(configOf(best.config))} seed ${best.config.seed} ${grid.metric.name} ${best.metrics[grid.metric.name]?.toFixed(4)} test acc ${best.metrics.testAcc?.toFixed(3)}; best config over seeds test ${top.testAcc?.mean.toFixed(3)}, ensemble ${top.ensembleTestAcc?.toFixed(3)} (${grid.seconds.toFixed(0)} s)`,
      );

      const deep = groups.find((g) => g.config.depth >= 2)!;
      const plain = await sweep(rig, `${name}-plain.yaml`, specText(name, { ...asGrid(deep.config), residual: [false] }));
      const plainGroup = bySeedGroups(plain.rows, plain.metric)[0]!;
      const binary = (best.testPredictions?.classes ?? 2) === 2;
      const lstmGroup = binary
        ? bySeedGroups(
            (await sweep(rig, `${name}-lstm.yaml`, specText(name, { ...asGrid(top.config), head: ['lstm'] }))).rows,
            grid.metric,
          )[0]!
        : undefined;
      const summary = (g: (typeof groups)[number]) => ({
        config: configOf(g.config),
        valMetric: round(g.metric.mean, 4),
        testAccuracyMean: g.testAcc ? round(g.testAcc.mean, 4) : null,
        ensembleTestAccuracy: g.ensembleTestAcc ?? null,
      });
      const testAccuracy = best.metrics.testAcc ?? NaN;
      results.push({
        name,
        protocol: grid.protocol,
        metric: grid.metric,
        bestConfig: { ...configOf(best.config), seed: best.config.seed },
        valMetric: best.metrics[grid.metric.name],
        testAccuracy,
        bestConfigOverSeeds: summary(top),
        required: REQUIRED[name],
        met: testAccuracy >= REQUIRED[name]!,
        baselines: published.get(name) ?? {},
        comparisons: {
          residualVsPlain: { residual: summary(deep), plain: summary(plainGroup) },
          denseVsLstmHead: lstmGroup ? { dense: summary(top), lstm: summary(lstmGroup) } : 'multi-class: the lstm head is binary only',
        },
        trials: grid.rows.length,
        /** the main sweep; `secondsWithComparisons` adds the residual and head sweeps */
        seconds: round(grid.seconds, 1),
        secondsWithComparisons: round((Date.now() - datasetStarted) / 1000, 1),
      });
    }
  } finally {
    await rig.cleanup();
  }
  const totalSeconds = round((Date.now() - started) / 1000, 1);
  const output = { datasets: results, grid: GRID, seeds, workers: workerCount, totalSeconds };
  if (json) {
    console.log(JSON.stringify(output));
    return;
  }
  for (const r of results) {
    const dtw = Object.entries(r.baselines).find(([k]) => k.includes('DTW'));
    console.log(
      `${r.name.padEnd(17)} ${r.protocol.padEnd(8)} best trial test ${r.testAccuracy.toFixed(3)} (required ${r.required}: ${r.met ? 'met' : 'MISSED'}; 1-NN DTW ${dtw?.[1] ?? '?'}) ` +
        `| config over seeds ${r.bestConfigOverSeeds.testAccuracyMean} ensemble ${r.bestConfigOverSeeds.ensembleTestAccuracy} ` +
        `| residual ${JSON.stringify(r.comparisons.residualVsPlain.residual.testAccuracyMean)} vs plain ${JSON.stringify(r.comparisons.residualVsPlain.plain.testAccuracyMean)} ` +
        `| ${typeof r.comparisons.denseVsLstmHead === 'string' ? r.comparisons.denseVsLstmHead : `dense ${r.comparisons.denseVsLstmHead.dense.testAccuracyMean} vs lstm ${r.comparisons.denseVsLstmHead.lstm.testAccuracyMean}`}`,
    );
  }
  console.log(`total ${totalSeconds} s on ${workerCount} workers`);
}

await main();
