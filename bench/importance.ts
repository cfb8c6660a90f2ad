/**
 * Hyperparameter importance (src/analysis/importance.ts) on many trials: the fit on every finished
 * trial against the fit on the even sample of the ranking the dashboard uses above
 * IMPORTANCE.maxTrials, side by side in one run: time (wall, CPU), held-out R² and the top three.
 *
 *   npm run bench:importance -- [--json] [--trials 1000] [--seed N]
 *
 * Trials are synthetic (no Redis, no training): 10 parameters, of which the metric depends on the
 * learning rate (strongly), the head and the depth; the other 7 play no part.
 */
import { IMPORTANCE, parameterImportance, sampleRanks, type ImportanceParameter } from '../src/analysis/importance.js';
import type { LeaderboardRow } from '../src/store/records.js';
import { createRng } from '../src/util/rng.js';
import { parseArgs, round } from './common.js';

const args = parseArgs(process.argv.slice(2), { flags: ['json'], numbers: ['trials', 'seed'] });
const json = args.flags.has('json');
const total = args.numbers.get('trials') ?? 1000;
const rng = createRng(args.numbers.get('seed') ?? 7);

const METRIC = { name: 'valLoss', goal: 'minimize' } as const;
const NUMERIC = ['depth', 'width', 'dropout', 'recurrentDropout', 'batchSize', 'epochs', 'patch', 'clipNorm'] as const;
const PARAMS: ImportanceParameter[] = [
  ...NUMERIC.map((name) => ({ name, log: false })),
  { name: 'learningRate', log: true },
  { name: 'head', log: false },
];

function trial(i: number): LeaderboardRow {
  const config: Record<string, unknown> = Object.fromEntries(NUMERIC.map((name) => [name, Math.round(1 + 15 * rng())]));
  config.learningRate = 10 ** (-4 + 3 * rng());
  config.head = rng() < 0.5 ? 'dense' : 'lstm';
  const lr = Math.log10(config.learningRate as number);
  const valLoss = 2 * (lr + 2.5) ** 2 + (config.head === 'lstm' ? 0.8 : 0) + 0.05 * (config.depth as number) + 0.05 * (rng() - 0.5);
  return { rank: 0, trialId: i.toString(16).padStart(16, '0'), config, metrics: { valLoss } } as unknown as LeaderboardRow;
}

/** One fit: its report and what it cost. */
function timed(rows: LeaderboardRow[]) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = parameterImportance(rows, METRIC, PARAMS, { total });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { report, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

// The ranking, best first (what the store would hand out), and the dashboard's sample of it.
const ranked = Array.from({ length: total }, (_, i) => trial(i)).sort((a, b) => a.metrics.valLoss - b.metrics.valLoss);
const sample = sampleRanks(total).map((rank) => ranked[rank]!);
const all = timed(ranked);
const sampled = timed(sample);
const top3 = (r: typeof all) => r.report.parameters.slice(0, 3).map((p) => p.name);
const out = {
  trials: total,
  parameters: PARAMS.length,
  maxTrials: IMPORTANCE.maxTrials,
  all: { used: all.report.used, wallMs: round(all.wallMs, 0), cpuMs: round(all.cpuMs, 0), r2: all.report.r2, top3: top3(all) },
  sampled: {
    used: sampled.report.used,
    wallMs: round(sampled.wallMs, 0),
    cpuMs: round(sampled.cpuMs, 0),
    r2: sampled.report.r2,
    top3: top3(sampled),
  },
  cpuRatioSampledToAll: round(sampled.cpuMs / all.cpuMs, 3),
  sameTop3: top3(all).join() === top3(sampled).join(),
};
if (json) console.log(JSON.stringify(out, null, 2));
else {
  console.log(`${total} trials x ${PARAMS.length} parameters`);
  console.log(`all ${out.all.used}:      ${out.all.cpuMs} ms CPU, R² ${out.all.r2}, top 3 ${out.all.top3.join(', ')}`);
  console.log(`sampled ${out.sampled.used}: ${out.sampled.cpuMs} ms CPU, R² ${out.sampled.r2}, top 3 ${out.sampled.top3.join(', ')}`);
  console.log(`sampled / all CPU: ${out.cpuRatioSampledToAll}; same top 3: ${out.sameTop3}`);
}
