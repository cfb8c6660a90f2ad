/**
 * TPE through the queue against a known optimum (#14.3): per seed, one tpe sweep whose dry-run
 * trials report a synthetic objective (`dryRun: { objective }`), with `--parallel` trials pending
 * at once, through the real producer, the suggester under its Redis lock, the constant liar and
 * real worker processes; next to it, the same TPE on the same space and budget run in this
 * process sequentially (one suggestion, one result), and random search with the same budget.
 *
 *   npm run bench:search-queue -- [--json] [--objective hartmann6] [--parallel 16] [--budget 100]
 *                                 [--seeds 5] [--workers 2] [--concurrency 8]
 *
 * The sweep's parameters: for mixed10 its own dimensions (named like sweep parameters, mapped by
 * name onto themselves); for the others wide numeric ranges of sweep parameters, one per dimension
 * (see src/search/objective-fit.ts). All three methods search that same space. Prints the median
 * simple regret (best valLoss - the known optimum) over seeds with its interquartile range,
 * trials/s (sweep created to last result; in-process: suggestions + evaluations per second),
 * duplicates (suggestions made minus distinct configurations stored: must be 0) and the ratio of
 * the queue's median regret to the sequential one's. A warm-up sweep (samplerSeed 0, not counted)
 * first lets the workers start their trainer processes. Exits 1 if a configuration was suggested twice.
 */
import path from 'node:path';
import { writeSyntheticUcr } from '../src/data/synthetic.js';
import { DRY_RUN_OBJECTIVES, type DryRunObjectiveName } from '../src/definition/sweep-spec.js';
import { SWEEPABLE } from '../src/definition/vocabulary.js';
import { evaluateFit, fitObjective, type ObjectiveFit } from '../src/search/objective-fit.js';
import { OBJECTIVES, type Objective } from '../src/search/objectives.js';
import { RandomSampler } from '../src/search/samplers/random.js';
import { TpeSampler } from '../src/search/samplers/tpe.js';
import type { Sampler } from '../src/search/sampler.js';
import { sweepSpace, type Assignment, type Observation, type ParameterSpace, type SearchSpace } from '../src/search/space.js';
import { assignmentOf, suggestionSeed } from '../src/search/suggester.js';
import { Keys } from '../src/store/keys.js';
import { canonicalJson } from '../src/util/hash.js';
import { createRng } from '../src/util/rng.js';
import { parseArgs, percentile, round } from './common.js';
import { runSweep, startSweepRig, type SweepRig } from './sweep-rig.js';

/** Wide ranges of sweep parameters, one per numeric dimension of an objective whose names are no parameters. */
const NUMERIC_RANGES: Array<[string, { min: number; max: number; log?: boolean }]> = [
  ['dropout', { min: 0, max: 0.9 }],
  ['recurrentDropout', { min: 0, max: 0.9 }],
  ['learningRate', { min: 1e-5, max: 1, log: true }],
  ['clipNorm', { min: 0, max: 100 }],
  ['width', { min: 1, max: 4096 }],
  ['batchSize', { min: 1, max: 65536 }],
  ['epochs', { min: 1, max: 100000 }],
  ['patience', { min: 0, max: 100000 }],
];

/** The sweep parameters a dry run on `objective` searches. */
function parametersFor(objective: Objective): Record<string, unknown> {
  const names = new Set<string>(SWEEPABLE);
  if (objective.space.every((d) => names.has(d.name))) {
    return Object.fromEntries(
      objective.space.map((d) => [d.name, d.kind === 'categorical' ? d.values : { min: d.min, max: d.max, log: d.log }]),
    );
  }
  if (objective.space.some((d) => d.kind === 'categorical') || objective.space.length > NUMERIC_RANGES.length) {
    throw new Error(`bench:search-queue has no sweep parameters for ${objective.name}`);
  }
  return Object.fromEntries(NUMERIC_RANGES.slice(0, objective.space.length));
}

interface QueueRun {
  regret: number;
  trialsPerSec: number;
  duplicates: number;
  failed: number;
}

interface LocalRun {
  regret: number;
  trialsPerSec: number;
}

/** One sweep through the queue; the figures from what the store holds. */
async function viaQueue(
  rig: SweepRig,
  objective: Objective,
  args: Settings,
  seed: number,
  fit: ObjectiveFit,
  space: SearchSpace,
): Promise<QueueRun> {
  const spec = {
    name: `search-queue-${objective.name}-s${seed}`,
    dataset: { train: path.join(rig.dir, 'train.csv') },
    method: 'tpe',
    count: args.budget,
    parallelism: args.parallel,
    samplerSeed: seed,
    metric: { name: 'valLoss', goal: 'minimize' },
    dryRun: { objective: objective.name },
    parameters: parametersFor(objective),
  };
  const { sweepId } = await runSweep(rig, `${spec.name}.json`, JSON.stringify(spec));
  const [sweep, results, trials, suggestions] = await Promise.all([
    rig.store.getSweep(sweepId),
    rig.store.getResults(sweepId),
    rig.store.getTrials(sweepId),
    rig.redis.get(new Keys(rig.prefix).suggestions(sweepId)),
  ]);
  const distinct = new Set(trials.map((t) => canonicalJson(assignmentOf(t.config, space))));
  // the results are the objective at their configurations (a check of the worker's side)
  for (const r of results) {
    if (r.metrics.valLoss !== evaluateFit(fit, assignmentOf(r.config, space)))
      throw new Error(`trial ${r.trialId}: valLoss is not the objective`);
  }
  const last = Math.max(...results.map((r) => Date.parse(r.finishedAt)));
  const seconds = (last - Date.parse(sweep!.createdAt)) / 1000;
  return {
    regret: Math.min(...results.map((r) => r.metrics.valLoss)) - objective.optimum,
    trialsPerSec: results.length / seconds,
    duplicates: Number(suggestions) - distinct.size,
    failed: args.budget - results.length,
  };
}

/** The same search in this process, one suggestion at a time, seeded as the suggester seeds it. */
function inProcess(sampler: Sampler, objective: Objective, fit: ObjectiveFit, space: SearchSpace, budget: number, seed: number): LocalRun {
  const started = performance.now();
  const observations: Observation[] = [];
  const taken = new Set<string>();
  for (let n = 1; n <= budget; n++) {
    const a: Assignment | undefined = sampler.suggest(space, observations, {
      goal: 'minimize',
      rng: createRng(suggestionSeed(seed, n)),
      isTaken: (x) => taken.has(canonicalJson(x)),
    });
    if (!a) break;
    taken.add(canonicalJson(a));
    observations.push({ assignment: a, value: evaluateFit(fit, a) });
  }
  const best = Math.min(...observations.map((o) => o.value!));
  return { regret: best - objective.optimum, trialsPerSec: observations.length / ((performance.now() - started) / 1000) };
}

interface Settings {
  objective: DryRunObjectiveName;
  parallel: number;
  budget: number;
  seeds: number;
  workers: number;
  concurrency: number;
}

function summary(regrets: number[]): { medianRegret: number; iqr: [number, number] } {
  const s = [...regrets].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { medianRegret: round(mid, 4), iqr: [round(percentile(s, 25), 4), round(percentile(s, 75), 4)] };
}

const median = (xs: number[]) => summary(xs).medianRegret;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    flags: ['json'],
    numbers: ['parallel', 'budget', 'seeds', 'workers', 'concurrency'],
    strings: ['objective'],
  });
  const name = args.strings.get('objective') ?? 'hartmann6';
  if (!(DRY_RUN_OBJECTIVES as readonly string[]).includes(name)) {
    console.error(`--objective must be one of ${DRY_RUN_OBJECTIVES.join(', ')}`);
    process.exit(2);
  }
  const settings: Settings = {
    objective: name as DryRunObjectiveName,
    parallel: Math.floor(args.numbers.get('parallel') ?? 16),
    budget: Math.floor(args.numbers.get('budget') ?? 100),
    seeds: Math.floor(args.numbers.get('seeds') ?? 5),
    workers: Math.floor(args.numbers.get('workers') ?? 2),
    concurrency: Math.floor(args.numbers.get('concurrency') ?? 8),
  };
  const log = (msg: string) => console.error(`[bench:search-queue] ${msg}`);
  const objective = OBJECTIVES[settings.objective];
  const space = sweepSpace(parametersFor(objective) as ParameterSpace);
  const fit = fitObjective(objective, space);
  const rig = await startSweepRig('searchq', settings.workers, ['--concurrency', String(settings.concurrency), '--grace', '5']);
  log(`prefix ${rig.prefix}; ${settings.workers} workers x ${settings.concurrency}`);
  try {
    await writeSyntheticUcr(rig.dir, { trainSize: 16, testSize: 4, timesteps: 8, seed: 5 });
    // Warm-up (not measured): the workers fork their trainer processes on the first trials.
    await viaQueue(rig, objective, { ...settings, budget: 2 * settings.parallel }, 0, fit, space);
    const queue: QueueRun[] = [];
    const sequential: LocalRun[] = [];
    const random: LocalRun[] = [];
    for (let seed = 1; seed <= settings.seeds; seed++) {
      queue.push(await viaQueue(rig, objective, settings, seed, fit, space));
      sequential.push(inProcess(new TpeSampler(), objective, fit, space, settings.budget, seed));
      random.push(inProcess(new RandomSampler(), objective, fit, space, settings.budget, seed));
      const q = queue.at(-1)!;
      log(
        `seed ${seed}: regret queue ${q.regret.toFixed(4)} (${q.trialsPerSec.toFixed(0)} trials/s, ${q.duplicates} duplicates), ` +
          `sequential ${sequential.at(-1)!.regret.toFixed(4)}, random ${random.at(-1)!.regret.toFixed(4)}`,
      );
    }
    const queueSummary = {
      ...summary(queue.map((q) => q.regret)),
      trialsPerSec: round(median(queue.map((q) => q.trialsPerSec)), 1),
      duplicates: queue.reduce((n, q) => n + q.duplicates, 0),
      failed: queue.reduce((n, q) => n + q.failed, 0),
      perSeed: queue.map((q) => ({ ...q, regret: round(q.regret, 4), trialsPerSec: round(q.trialsPerSec, 1) })),
    };
    const local = (runs: LocalRun[]) => ({
      ...summary(runs.map((r) => r.regret)),
      trialsPerSec: round(median(runs.map((r) => r.trialsPerSec)), 1),
      perSeed: runs.map((r) => round(r.regret, 4)),
    });
    const out = {
      objective: objective.name,
      optimum: objective.optimum,
      budget: settings.budget,
      parallel: settings.parallel,
      workers: settings.workers,
      concurrency: settings.concurrency,
      seeds: settings.seeds,
      parameters: fit.from.map((d, i) => `${d.name} -> ${objective.space[i]!.name}`),
      queue: queueSummary,
      sequential: local(sequential),
      random: local(random),
      /** the queue's median regret over the sequential run's (1 = parallelism costs nothing) */
      ratio: round(queueSummary.medianRegret / Math.max(1e-12, local(sequential).medianRegret), 2),
    };
    if (args.flags.has('json')) {
      console.log(JSON.stringify(out));
    } else {
      console.log(
        `${objective.name}, budget ${settings.budget}, median simple regret over ${settings.seeds} seeds [IQR]; parameters ${out.parameters.join(', ')}`,
      );
      const row = (label: string, s: { medianRegret: number; iqr: [number, number]; trialsPerSec: number }, extra = '') =>
        console.log(
          `${label.padEnd(34)} ${s.medianRegret.toFixed(4)} [${s.iqr[0].toFixed(4)}, ${s.iqr[1].toFixed(4)}]  ${String(s.trialsPerSec).padStart(9)} trials/s${extra}`,
        );
      row(
        `TPE via the queue, ${settings.parallel} pending`,
        queueSummary,
        `  duplicates ${queueSummary.duplicates}, failed ${queueSummary.failed}`,
      );
      row('TPE in-process, sequential', out.sequential);
      row('random in-process', out.random);
      console.log(`ratio queue / sequential median regret: ${out.ratio}`);
    }
    if (queueSummary.duplicates > 0) process.exitCode = 1;
  } finally {
    await rig.cleanup();
  }
}

await main();
