/**
 * Search peer benchmark: this project's TPE against Optuna's TPESampler and random search on the
 * standard test functions of src/search/objectives.ts, as simple regret (best value found minus the
 * known minimum), median and interquartile range over seeds.
 *
 *   npm run bench:search-peer -- [--json] [--seeds 20] [--budgets 50,100] [--parallel 1,4,16]
 *                                [--objectives branin,hartmann6,rosenbrock4,mixed10]
 *                                [--real-seeds 5] [--real-budget 16] [--workers 2] [--skip-real]
 *
 * Parallel workers are simulated the same way for both TPEs: P trials are pending at a time; the
 * oldest is completed (its value observed), then one more is suggested. lsw-tpe always sees the
 * pending trials (its constant liar); optuna-tpe runs with and without `constant_liar=True`.
 * A budget B is the best of the first B completed trials of one run of max(budgets) trials.
 * Optuna runs in Debian's /usr/bin/python3 (python3-optuna) through bench/optuna_peer.py, one
 * process per (objective, parallel, liar) for all seeds; without it the rest still runs.
 * Then the real workload (bench/search-real.ts): TPE against random search on a residual-LSTM sweep
 * of Strawberry through the queue with real workers (`--skip-real` leaves it out).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { REPO_ROOT, parseArgs, round } from './common.js';
import { runRealWorkload } from './search-real.js';
import { OBJECTIVES, type Objective } from '../src/search/objectives.js';
import type { Sampler } from '../src/search/sampler.js';
import { RandomSampler } from '../src/search/samplers/random.js';
import { TpeSampler } from '../src/search/samplers/tpe.js';
import type { Assignment, Observation } from '../src/search/space.js';
import { createRng } from '../src/util/rng.js';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const TpeSettingsSchema = z.strictObject({
  startupTrials: z.number().int().min(0).optional(),
  candidates: z.number().int().min(1).optional(),
  gamma: z.number().min(0).max(1).optional(),
  multivariate: z.boolean().optional(),
});

/** Debian's interpreter, where python3-optuna lives (LSW_OPTUNA_PYTHON overrides it). */
const PYTHON = process.env.LSW_OPTUNA_PYTHON ?? '/usr/bin/python3';
const DRIVER = path.join(REPO_ROOT, 'bench', 'optuna_peer.py');

type Method = 'lsw-tpe' | 'optuna-tpe' | 'random';
interface Row {
  objective: string;
  method: Method;
  parallel: number;
  /** optuna-tpe only: constant_liar=True */
  liar?: boolean;
  budget: number;
  medianRegret: number;
  iqr: number;
  q1: number;
  q3: number;
}
/** The values of one run in completion order, per seed. */
type Runs = number[][];

const args = parseArgs(process.argv.slice(2), {
  flags: ['json', 'skip-real'],
  numbers: ['seeds', 'real-seeds', 'real-budget', 'workers'],
  strings: ['budgets', 'objectives', 'parallel', 'tpe', 'optuna-from'],
});
const json = args.flags.has('json');
const seeds = Array.from({ length: args.numbers.get('seeds') ?? 20 }, (_, i) => i + 1);
const list = (name: string, fallback: string) => (args.strings.get(name) ?? fallback).split(',').map((s) => s.trim());
const budgets = list('budgets', '50,100').map(Number);
const parallels = list('parallel', '1,4,16').map(Number);
if (![...budgets, ...parallels].every((n) => Number.isInteger(n) && n > 0))
  throw new Error('--budgets and --parallel take positive integers');
const objectives = list('objectives', Object.keys(OBJECTIVES).join(',')).map((name) => {
  const objective = (OBJECTIVES as Record<string, Objective>)[name];
  if (objective === undefined) throw new Error(`unknown objective ${name} (known: ${Object.keys(OBJECTIVES).join(', ')})`);
  return objective;
});
const maxBudget = Math.max(...budgets);
/** --tpe '{"multivariate": false}': settings for lsw-tpe other than its defaults (to compare them). */
const tpeOptions = TpeSettingsSchema.parse(JSON.parse(args.strings.get('tpe') ?? '{}'));
/** --optuna-from FILE: Optuna's rows from an earlier --json run with the same seeds, instead of running it again. */
const optunaFrom = args.strings.get('optuna-from');
const log = (line: string) => process.stderr.write(`${line}\n`);

/** One search of `budget` trials with `parallel` pending at a time; values in completion order. */
function runOurs(sampler: Sampler, objective: Objective, seed: number, parallel: number): number[] {
  const ctx = { goal: 'minimize' as const, rng: createRng(seed), isTaken: (a: Assignment) => taken.has(key(a)) };
  const key = (a: Assignment) => JSON.stringify(objective.space.map((d) => a[d.name]));
  const taken = new Set<string>();
  const observations: Observation[] = [];
  const pending: Observation[] = [];
  const told: number[] = [];
  let asked = 0;
  while (told.length < maxBudget) {
    while (asked < maxBudget && pending.length < parallel) {
      const a = sampler.suggest(objective.space, observations, ctx);
      if (a === undefined) throw new Error(`${sampler.name} ran out of suggestions on ${objective.name}`);
      taken.add(key(a));
      const o: Observation = { assignment: a, value: undefined };
      observations.push(o);
      pending.push(o);
      asked++;
    }
    const oldest = pending.shift()!;
    oldest.value = objective.evaluate(oldest.assignment);
    told.push(oldest.value);
  }
  return told;
}

/** Optuna's runs for all seeds, or the reason there are none. */
async function runOptuna(objective: Objective, parallel: number, liar: boolean): Promise<Runs | string> {
  const config = { space: objective.space, seeds, budget: maxBudget, parallel, liar };
  const child = spawn(PYTHON, [DRIVER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const spawnError = new Promise<string>((resolve) => child.on('error', (e) => resolve(`${PYTHON} cannot run: ${e.message}`)));
  const runs: Runs = [];
  let missing: string | undefined;
  const read = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      const message = JSON.parse(line) as { params?: Assignment; values?: number[]; missing?: string };
      if (message.params !== undefined) child.stdin.write(`${objective.evaluate(message.params)}\n`);
      else if (message.values !== undefined) runs.push(message.values);
      else if (message.missing !== undefined) missing = message.missing;
    }
  })();
  const outcome = await Promise.race([read.then(() => undefined), spawnError]);
  if (outcome !== undefined) return outcome;
  const code = child.exitCode ?? (await new Promise<number | null>((resolve) => child.on('exit', resolve)));
  if (missing !== undefined) return missing;
  if (code !== 0 || runs.length !== seeds.length) return `optuna driver failed (exit ${code}): ${stderr.trim().split('\n').at(-1)}`;
  return runs;
}

/** 4 significant digits: regrets span 1e-6 (Branin) to 1e2 (Rosenbrock). */
const sig = (x: number) => Number(x.toPrecision(4));

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function rows(objective: Objective, method: Method, parallel: number, runs: Runs, liar?: boolean): Row[] {
  return budgets.map((budget) => {
    const regrets = runs.map((values) => Math.max(0, Math.min(...values.slice(0, budget)) - objective.optimum)).sort((a, b) => a - b);
    const q1 = quantile(regrets, 0.25);
    const q3 = quantile(regrets, 0.75);
    return {
      objective: objective.name,
      method,
      parallel,
      ...(liar === undefined ? {} : { liar }),
      budget,
      medianRegret: sig(quantile(regrets, 0.5)),
      iqr: sig(q3 - q1),
      q1: sig(q1),
      q3: sig(q3),
    };
  });
}

async function main(): Promise<void> {
  const results: Row[] = [];
  const seconds: Record<string, number> = { 'lsw-tpe': 0, 'optuna-tpe': 0, random: 0 };
  let optunaMissing: string | undefined;
  for (const objective of objectives) {
    let t = performance.now();
    results.push(
      ...rows(
        objective,
        'random',
        1,
        seeds.map((s) => runOurs(new RandomSampler(), objective, s, 1)),
      ),
    );
    seconds.random! += (performance.now() - t) / 1000;
    for (const parallel of parallels) {
      t = performance.now();
      results.push(
        ...rows(
          objective,
          'lsw-tpe',
          parallel,
          seeds.map((s) => runOurs(new TpeSampler(tpeOptions), objective, s, parallel)),
        ),
      );
      seconds['lsw-tpe']! += (performance.now() - t) / 1000;
      log(`${objective.name}: lsw-tpe parallel ${parallel} done`);
    }
    if (optunaMissing !== undefined) continue;
    if (optunaFrom !== undefined) {
      const earlier = z.object({ results: z.array(z.any()), seeds: z.number() }).parse(JSON.parse(readFileSync(optunaFrom, 'utf8')));
      if (earlier.seeds !== seeds.length) throw new Error(`${optunaFrom} has ${earlier.seeds} seeds, not ${seeds.length}`);
      results.push(...(earlier.results as Row[]).filter((r) => r.method === 'optuna-tpe' && r.objective === objective.name));
      continue;
    }
    // the two liar settings of a parallel level run side by side (two processes); parallel 1 has no pending trials
    const jobs = parallels.flatMap((parallel) =>
      parallel === 1 ? [{ parallel, liar: false }] : [false, true].map((liar) => ({ parallel, liar })),
    );
    t = performance.now();
    for (let i = 0; i < jobs.length && optunaMissing === undefined; i += 2) {
      const batch = jobs.slice(i, i + 2);
      const outcomes = await Promise.all(batch.map((job) => runOptuna(objective, job.parallel, job.liar)));
      outcomes.forEach((outcome, k) => {
        if (typeof outcome === 'string') optunaMissing = outcome;
        else results.push(...rows(objective, 'optuna-tpe', batch[k]!.parallel, outcome, batch[k]!.liar));
      });
      log(`${objective.name}: optuna-tpe ${batch.map((j) => `parallel ${j.parallel}${j.liar ? ' liar' : ''}`).join(', ')} done`);
    }
    seconds['optuna-tpe']! += (performance.now() - t) / 1000;
  }
  const real = args.flags.has('skip-real')
    ? 'skipped (--skip-real)'
    : await runRealWorkload({
        seeds: Array.from({ length: args.numbers.get('real-seeds') ?? 5 }, (_, i) => i + 1),
        budget: args.numbers.get('real-budget') ?? 16,
        workers: args.numbers.get('workers') ?? 2,
        log,
      });
  const report = {
    tpe: tpeOptions,
    ...(optunaFrom === undefined ? {} : { optunaFrom }),
    results,
    ratios: ratios(results),
    targets: { ...targets(results), realWorkloadTpeNotWorseThanRandom: typeof real === 'string' ? null : real.tpeNotWorseThanRandom },
    real,
    optuna: optunaMissing ?? 'ok',
    seeds: seeds.length,
    seconds,
  };
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    print(report.results, report.ratios, optunaMissing);
    console.log(`\nreal workload: ${JSON.stringify(real)}`);
  }
  if (optunaMissing !== undefined) log(`optuna-tpe not run: ${optunaMissing}`);
}

const find = (results: Row[], objective: string, method: Method, parallel: number, budget: number, liar?: boolean) =>
  results.find(
    (r) =>
      r.objective === objective &&
      r.method === method &&
      r.parallel === parallel &&
      r.budget === budget &&
      (liar === undefined || r.liar === liar),
  );
const ratio = (a: Row | undefined, b: Row | undefined) =>
  a === undefined || b === undefined
    ? null
    : b.medianRegret === 0
      ? a.medianRegret === 0
        ? 1
        : null
      : round(a.medianRegret / b.medianRegret, 3);

/** Per objective and budget: our median regret over Optuna's (same parallelism, liar on when parallel) and over random's. */
function ratios(results: Row[]) {
  return objectives.flatMap((o) =>
    budgets.map((budget) => ({
      objective: o.name,
      budget,
      vsOptuna: Object.fromEntries(
        parallels.map((p) => [
          p,
          ratio(find(results, o.name, 'lsw-tpe', p, budget), find(results, o.name, 'optuna-tpe', p, budget, p > 1 ? true : false)),
        ]),
      ),
      vsRandom: ratio(find(results, o.name, 'lsw-tpe', 1, budget), find(results, o.name, 'random', 1, budget)),
    })),
  );
}

/** The issue's targets at 100 trials (null where a figure is missing). */
function targets(results: Row[]) {
  const budget = 100;
  const all = (values: (number | null)[], limit: number) => (values.some((v) => v === null) ? null : values.every((v) => v! <= limit));
  const names = objectives.map((o) => o.name);
  return {
    budget,
    sequentialWithin1_1xOptuna: all(
      names.map((n) => ratio(find(results, n, 'lsw-tpe', 1, budget), find(results, n, 'optuna-tpe', 1, budget, false))),
      1.1,
    ),
    parallel16Within1_25xOptunaLiar: all(
      names.map((n) => ratio(find(results, n, 'lsw-tpe', 16, budget), find(results, n, 'optuna-tpe', 16, budget, true))),
      1.25,
    ),
    halfOfRandomOnHartmannAndMixed: all(
      names
        .filter((n) => n === 'hartmann6' || n === 'mixed10')
        .map((n) => ratio(find(results, n, 'lsw-tpe', 1, budget), find(results, n, 'random', 1, budget))),
      0.5,
    ),
  };
}

function print(results: Row[], table: ReturnType<typeof ratios>, optunaMissing: string | undefined): void {
  const fmt = (r: Row | undefined) =>
    r === undefined ? '-' : `${r.medianRegret.toPrecision(3)} [${r.q1.toPrecision(2)}, ${r.q3.toPrecision(2)}]`;
  console.log(`simple regret, median [q1, q3] over ${seeds.length} seeds`);
  for (const o of objectives) {
    for (const budget of budgets) {
      console.log(`\n${o.name}, ${budget} trials`);
      console.log(`  random               ${fmt(find(results, o.name, 'random', 1, budget))}`);
      for (const p of parallels) {
        console.log(`  lsw-tpe    P=${String(p).padEnd(3)}   ${fmt(find(results, o.name, 'lsw-tpe', p, budget))}`);
        console.log(`  optuna-tpe P=${String(p).padEnd(3)}   ${fmt(find(results, o.name, 'optuna-tpe', p, budget, false))}`);
        if (p > 1) console.log(`  optuna liar P=${String(p).padEnd(3)}  ${fmt(find(results, o.name, 'optuna-tpe', p, budget, true))}`);
      }
      const r = table.find((x) => x.objective === o.name && x.budget === budget)!;
      console.log(`  ours / optuna: ${JSON.stringify(r.vsOptuna)}; ours / random: ${r.vsRandom}`);
    }
  }
  if (optunaMissing !== undefined) console.log(`\noptuna-tpe not run: ${optunaMissing}`);
}

await main();
