/**
 * bench:patch: what input patching (`patch`, issue #15) buys on long series. One holdout
 * training per (dataset, patch) with the fast engine: depth 2, width 32, batch 16, `--epochs`
 * (default 20, no early stopping), seed 1. Reports wall and CPU seconds per epoch (the whole
 * trial over its epochs: training, the per-epoch validation pass, build and test; the machine may
 * be shared: CPU time is the fairer figure), the speed-up over patch 1, and the test
 * accuracy of the best-validation weights (one seed: indicative only).
 *
 * Usage: npm run bench:patch -- [--json] [--epochs N] [--datasets Strawberry,ECG200] [--patches 1,4,8]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import { parseDatasetCsv } from '../src/data/load.js';
import { toTrainingData } from '../src/data/split.js';
import { initBackend, trainTrial } from '../src/model/index.js';
import { TRIAL_DEFAULTS, type TrialConfig } from '../src/model/trial-config.js';
import { parseArgs, REPO_ROOT, round } from './common.js';

const args = parseArgs(process.argv.slice(2), { flags: ['json'], numbers: ['epochs'], strings: ['datasets', 'patches'] });
const json = args.flags.has('json');
const epochs = args.numbers.get('epochs') ?? 20;
const datasets = (args.strings.get('datasets') ?? 'Strawberry,ECG200').split(',');
const patches = (args.strings.get('patches') ?? '1,4,8').split(',').map(Number);
const DATA_DIR = path.join(REPO_ROOT, '..', 'shared', 'datasets');

interface Row {
  dataset: string;
  timesteps: number;
  patch: number;
  steps: number;
  secPerEpoch: number;
  cpuSecPerEpoch: number;
  /** wall-clock and CPU-time speed-up over the first patch size */
  speedup: number;
  cpuSpeedup: number;
  testAcc: number;
}

async function load(name: string, file: string) {
  return parseDatasetCsv(readFileSync(path.join(DATA_DIR, name, file), 'utf8'), 'ucr', { file: `${name}/${file}`, classes: 1000 });
}

await initBackend('cpu');
const rows: Row[] = [];
for (const name of datasets) {
  const dataset = { train: await load(name, 'train.csv'), test: await load(name, 'test.csv') };
  const data = toTrainingData(dataset, { validationSplit: 0.2, splitSeed: 0 });
  let base = 0;
  let cpuBase = 0;
  for (const patch of patches) {
    // the defaults a sweep's trials get, with a fixed epoch budget and no early stopping
    const config: TrialConfig = { ...TRIAL_DEFAULTS, epochs, patience: 0, seed: 1, patch };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await trainTrial(config, data, { engine: 'fast' });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const secPerEpoch = wall / r.epochsRun;
    const cpuPerEpoch = (cpu.user + cpu.system) / 1e6 / r.epochsRun;
    if (patch === patches[0]) [base, cpuBase] = [secPerEpoch, cpuPerEpoch];
    rows.push({
      dataset: name,
      timesteps: dataset.train.timesteps,
      patch,
      steps: Math.ceil(dataset.train.timesteps / patch),
      secPerEpoch: round(secPerEpoch, 3),
      cpuSecPerEpoch: round(cpuPerEpoch, 3),
      speedup: round(base / secPerEpoch, 2),
      cpuSpeedup: round(cpuBase / cpuPerEpoch, 2),
      testAcc: round(r.metrics.testAcc ?? NaN, 3),
    });
    if (!json) console.error(`${name} patch ${patch}: ${secPerEpoch.toFixed(3)} s/epoch`);
  }
}

if (json) {
  console.log(JSON.stringify({ epochs, depth: 2, width: 32, batchSize: 16, engine: 'fast', rows }, null, 2));
} else {
  const table = new Table({ head: ['dataset', 'T', 'patch', 'steps', 's/epoch', 'cpu s/epoch', 'speed-up', 'cpu speed-up', 'test acc'] });
  for (const r of rows)
    table.push([r.dataset, r.timesteps, r.patch, r.steps, r.secPerEpoch, r.cpuSecPerEpoch, `${r.speedup}x`, `${r.cpuSpeedup}x`, r.testAcc]);
  console.log(table.toString());
}
