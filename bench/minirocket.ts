/**
 * bench:minirocket: the MiniRocket baseline (src/model/minirocket) on the shared UCR/UEA sets,
 * next to the published MiniRocket test accuracies (Dempster et al., KDD 2021; the MiniRocket
 * column of ../shared/datasets/README.md). Per set: fit on the train file (seed 0 unless --seed) and predict the
 * test file in this one process; test accuracy, published figure, difference, within-0.02 flag,
 * wall seconds and CPU seconds (process.cpuUsage, user + system) of fit + predict, the chosen
 * alpha and the leave-one-out validation accuracy. The machine may be shared: CPU time is the
 * steadier figure.
 *
 *   npm run bench:minirocket -- [--json] [--datasets GunPoint,ECG200] [--seed N]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { fitMiniRocket, predictMiniRocket } from '../src/model/minirocket/index.js';
import { REPO_ROOT, parseArgs, round } from './common.js';

const DATASETS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'datasets');
/** Classes per set (../shared/datasets/README.md). */
const CLASSES: Record<string, number> = {
  GunPoint: 2,
  ItalyPowerDemand: 2,
  ECG200: 2,
  Strawberry: 2,
  ECGFiveDays: 2,
  SonyAIBORobotSurface2: 2,
  CBF: 3,
  Trace: 4,
  Plane: 7,
  SyntheticControl: 6,
  Chinatown: 2,
  ArrowHead: 3,
  ToeSegmentation1: 2,
  Wine: 2,
  BasicMotions: 4,
};
const ALL = Object.keys(CLASSES);
/** Chinatown's copy has 2 test rows the published 343-row split lacks (see Chinatown/README.md). */
const EXTRA_TEST_ROWS: Record<string, number[]> = { Chinatown: [29, 315] };

const args = parseArgs(process.argv.slice(2), { flags: ['json'], numbers: ['seed'], strings: ['datasets'] });
const json = args.flags.has('json');
const seed = args.numbers.get('seed') ?? 0;
if (!Number.isInteger(seed)) throw new Error(`--seed needs a whole number, got ${seed}`);
const datasets = (args.strings.get('datasets')?.split(',') ?? ALL).map((d) => d.trim());
for (const d of datasets) if (!ALL.includes(d)) throw new Error(`unknown dataset ${d} (known: ${ALL.join(', ')})`);

/** The MiniRocket column of the datasets README's published table. */
function published(): Map<string, number> {
  const lines = readFileSync(path.join(DATASETS_DIR, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('| dataset | 1-NN'));
  if (start < 0) throw new Error('the datasets README has no published-accuracy table');
  const column = lines[start]!.split('|').findIndex((c) => c.trim() === 'MiniRocket');
  const out = new Map<string, number>();
  // The table's rows: the lines after its header, up to the first line that is not a table row.
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  for (const line of lines.slice(start + 2, end < 0 ? undefined : end)) {
    const cells = line.split('|').map((c) => c.trim());
    const value = Number(cells[column]);
    if (ALL.includes(cells[1]!) && /^[0-9.]+$/.test(cells[column] ?? '') && Number.isFinite(value)) out.set(cells[1]!, value);
  }
  return out;
}

interface Row {
  dataset: string;
  classes: number;
  train: number;
  test: number;
  timesteps: number;
  features: number;
  testAcc: number;
  /** Chinatown: accuracy on the 343 rows the published figure used */
  comparedAcc: number;
  published: number | null;
  diff: number | null;
  within002: boolean | null;
  alpha: number;
  valAcc: number;
  valLoss: number;
  fitSeconds: number;
  seconds: number;
  cpuSeconds: number;
}

async function run(name: string, reference: number | undefined): Promise<Row> {
  const dir = path.join(DATASETS_DIR, name);
  if (!existsSync(dir)) throw new Error(`bench:minirocket needs ${dir} (the UCR/UEA datasets next to the repo)`);
  const classes = CLASSES[name]!;
  const format = name === 'BasicMotions' ? 'long' : 'ucr';
  const { train, test } = await loadDataset({ train: 'train.csv', test: 'test.csv', format } as never, { baseDir: dir, classes });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const fit = await fitMiniRocket(train, { seed, classes });
  const fitSeconds = (performance.now() - t0) / 1000;
  const probs = predictMiniRocket(fit.model, test!);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const predicted = Array.from({ length: test!.n }, (_, i) => {
    if (classes === 2) return probs[i]! >= 0.5 ? 1 : 0;
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    return best;
  });
  const acc = (rows: number[]) => rows.filter((i) => predicted[i] === test!.y[i]).length / rows.length;
  const all = [...Array(test!.n).keys()];
  const compared = all.filter((i) => !(EXTRA_TEST_ROWS[name] ?? []).includes(i));
  const comparedAcc = acc(compared);
  const diff = reference === undefined ? null : comparedAcc - reference;
  return {
    dataset: name,
    classes,
    train: train.n,
    test: test!.n,
    timesteps: train.timesteps,
    features: train.features,
    testAcc: acc(all),
    comparedAcc,
    published: reference ?? null,
    diff,
    within002: diff === null ? null : Math.abs(diff) <= 0.02 + 1e-9,
    alpha: fit.alpha,
    valAcc: fit.validation.acc,
    valLoss: fit.validation.loss,
    fitSeconds,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const figures = published();
const rows: Row[] = [];
for (const name of datasets) {
  if (!json) process.stderr.write(`[bench:minirocket] ${name}...\n`);
  rows.push(await run(name, figures.get(name)));
}
const compared = rows.filter((r) => r.within002 !== null);
const summary = {
  within002: compared.filter((r) => r.within002).length,
  compared: compared.length,
  maxSeconds: Math.max(...rows.map((r) => r.seconds)),
  maxCpuSeconds: Math.max(...rows.map((r) => r.cpuSeconds)),
};
if (json) {
  console.log(JSON.stringify({ seed, rows, summary }, null, 2));
} else {
  const f4 = (v: number | null) => (v === null ? '—' : v.toFixed(4));
  console.log('| dataset | n train/test | T x F | test acc | published | diff | within 0.02 | alpha | LOO acc | s (fit+predict) | CPU s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const acc = r.comparedAcc === r.testAcc ? f4(r.testAcc) : `${f4(r.comparedAcc)} (all ${r.test}: ${f4(r.testAcc)})`;
    const d = r.diff === null ? null : round(r.diff, 4) + 0; // + 0: no -0
    const diff = d === null ? '—' : `${d >= 0 ? '+' : ''}${d.toFixed(4)}`;
    const flag = r.within002 === null ? '—' : r.within002 ? 'yes' : 'no';
    console.log(
      `| ${r.dataset} | ${r.train}/${r.test} | ${r.timesteps} x ${r.features} | ${acc} | ${f4(r.published)} | ${diff} | ${flag} | ${round(r.alpha, 3)} | ${f4(r.valAcc)} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} |`,
    );
  }
  console.log(
    `\nwithin 0.02 of the published figure: ${summary.within002}/${summary.compared}; max ${summary.maxSeconds.toFixed(2)} s wall, ${summary.maxCpuSeconds.toFixed(2)} s CPU`,
  );
}
