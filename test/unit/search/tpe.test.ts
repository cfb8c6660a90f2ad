import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SWEEPABLE } from '../../../src/definition/sweep-spec.js';
import { createRng } from '../../../src/util/rng.js';
import { CategoricalEstimator, NumericParzen, erfc } from '../../../src/search/parzen.js';
import { sampleRandom as sampleOn } from '../../../src/search/samplers/random.js';
import { suggestTpe as suggestOn, type TpeOptions } from '../../../src/search/samplers/tpe.js';
import { sweepSpace, type Assignment, type Observation, type ParameterSpace } from '../../../src/search/space.js';
import type { Rng } from '../../../src/util/rng.js';

/** The samplers take a generic space; these tests state theirs as a sweep's parameters. */
type SearchSpace = ParameterSpace;
const suggestTpe = (space: SearchSpace, observations: Observation[], opts: TpeOptions) => suggestOn(sweepSpace(space), observations, opts);
const sampleRandom = (space: SearchSpace, rng: Rng) => sampleOn(sweepSpace(space), rng);

const keyOf = (a: Assignment) => JSON.stringify(SWEEPABLE.map((name) => a[name] ?? null));

interface RunResult {
  best: number;
  suggested: Assignment[];
}

/** A sequential sweep: suggest, evaluate, observe; `startupTrials: Infinity` makes it plain random search. */
function runSweep(
  space: SearchSpace,
  objective: (a: Assignment) => number,
  budget: number,
  seed: number,
  startupTrials?: number,
): RunResult {
  const rng = createRng(seed);
  const taken = new Set<string>();
  const observations: Observation[] = [];
  let best = -Infinity;
  const suggested: Assignment[] = [];
  for (let i = 0; i < budget; i++) {
    const a = suggestTpe(space, observations, {
      goal: 'maximize',
      rng,
      isTaken: (x) => taken.has(keyOf(x)),
      ...(startupTrials === undefined ? {} : { startupTrials }),
    });
    if (a === undefined) break;
    taken.add(keyOf(a));
    suggested.push(a);
    const value = objective(a);
    observations.push({ assignment: a, value });
    best = Math.max(best, value);
  }
  return { best, suggested };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const mixedSpace: SearchSpace = {
  depth: [1, 2, 3, 4],
  width: [8, 16, 32, 64],
  dropout: [0, 0.1, 0.2, 0.3],
  learningRate: { min: 1e-4, max: 1e-1, log: true },
};

/**
 * A validation-AUC-like surrogate: the learning rate matters most, the architecture mildly.
 * Known optimum 0.9 at depth 3, width 32, dropout 0.1, learning rate 10^-2.5.
 */
const MIXED_OPTIMUM = 0.9;
function mixedObjective(a: Assignment): number {
  const depth = a.depth as number;
  const width = a.width as number;
  const dropout = a.dropout as number;
  const lr = a.learningRate as number;
  return (
    MIXED_OPTIMUM -
    0.02 * (depth - 3) ** 2 -
    0.02 * (Math.log2(width) - 5) ** 2 -
    0.02 * ((dropout - 0.1) / 0.1) ** 2 -
    0.1 * (Math.log10(lr) + 2.5) ** 2
  );
}

test('parzen estimators are normalized densities', () => {
  assert.ok(Math.abs(erfc(0.5) - 0.4795001221869535) < 1e-7);
  assert.ok(Math.abs(erfc(-1.5) - 1.9661051464753108) < 1e-7);
  const p = new NumericParzen([0.1, 0.15, 0.9], 0, 1);
  assert.ok(Math.abs(p.logMass(0, 1)) < 1e-6, 'total mass 1');
  let integral = 0;
  for (let i = 0; i < 10000; i++) integral += Math.exp(p.logPdf((i + 0.5) / 10000)) / 10000;
  assert.ok(Math.abs(integral - 1) < 1e-3, `pdf integrates to ${integral}`);
  const rng = createRng(1);
  const draws = Array.from({ length: 4000 }, () => p.sample(rng));
  assert.ok(draws.every((x) => x >= 0 && x <= 1));
  const low = draws.filter((x) => x < 0.3).length / draws.length;
  const expected = Math.exp(p.logMass(0, 0.3));
  assert.ok(Math.abs(low - expected) < 0.03, `sampled ${low} vs mass ${expected}`);
  const c = new CategoricalEstimator(3, [0, 0, 2]);
  assert.ok(Math.abs(Math.exp(c.logProb(0)) - 3 / 6) < 1e-12);
  assert.ok(Math.abs(Math.exp(c.logProb(1)) - 1 / 6) < 1e-12);
});

test('values respect the space: integers in bounds, log ranges, categorical lists', () => {
  const space: SearchSpace = {
    depth: { min: 1, max: 6, log: false },
    width: { min: 4, max: 512, log: true },
    learningRate: { min: 1e-5, max: 1e-1, log: true },
    dropout: { min: 0, max: 0.5, log: false },
    head: ['dense', 'lstm'],
    batchSize: [16, 64],
  };
  const rng = createRng(7);
  const taken = new Set<string>();
  const observations: Observation[] = [];
  for (let i = 0; i < 40; i++) {
    const a = suggestTpe(space, observations, { goal: 'minimize', rng, isTaken: (x) => taken.has(keyOf(x)) });
    assert.ok(a);
    taken.add(keyOf(a));
    assert.deepEqual(Object.keys(a).sort(), Object.keys(space).sort());
    const { depth, width, learningRate, dropout, head, batchSize } = a as Record<string, number | string>;
    for (const [v, lo, hi] of [
      [depth, 1, 6],
      [width, 4, 512],
    ] as const) {
      assert.ok(Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi, `integer ${v} in [${lo}, ${hi}]`);
    }
    assert.ok(typeof learningRate === 'number' && learningRate >= 1e-5 && learningRate <= 1e-1);
    assert.ok(typeof dropout === 'number' && dropout >= 0 && dropout <= 0.5);
    assert.ok(head === 'dense' || head === 'lstm');
    assert.ok(batchSize === 16 || batchSize === 64);
    // a pseudo objective, with some pending and failed trials mixed in
    const value = i % 7 === 3 ? undefined : (depth as number) + Math.abs(Math.log10(learningRate) + 3);
    observations.push({ assignment: a, value });
  }
  // endpoints of integer ranges are reachable
  const draws = Array.from({ length: 2000 }, (_, i) => sampleRandom({ depth: { min: 1, max: 3, log: false } }, createRng(i)));
  const counts = [1, 2, 3].map((d) => draws.filter((a) => a.depth === d).length);
  assert.ok(
    counts.every((c) => c > 500),
    `roughly uniform integers: ${counts.join(',')}`,
  );
});

test('deterministic given the same rng stream and inputs', () => {
  const a = runSweep(mixedSpace, mixedObjective, 15, 3);
  const b = runSweep(mixedSpace, mixedObjective, 15, 3);
  assert.deepEqual(a.suggested, b.suggested);
  const c = runSweep(mixedSpace, mixedObjective, 15, 4);
  assert.notDeepEqual(a.suggested, c.suggested);
});

test('never returns a taken assignment; undefined exactly when a small categorical space is exhausted', () => {
  const space: SearchSpace = { depth: [1, 2], head: ['dense', 'lstm', 'dense'], width: [8, 16, 32] };
  for (const startupTrials of [0, 2, 100]) {
    const rng = createRng(11 + startupTrials);
    const taken = new Set<string>();
    const observations: Observation[] = [];
    for (let i = 0; i < 12; i++) {
      const a = suggestTpe(space, observations, { goal: 'maximize', rng, startupTrials, isTaken: (x) => taken.has(keyOf(x)) });
      assert.ok(a, `suggestion ${i} exists (startupTrials ${startupTrials})`);
      assert.ok(!taken.has(keyOf(a)));
      taken.add(keyOf(a));
      observations.push({ assignment: a, value: i % 3 === 0 ? undefined : (a.depth as number) * (a.width as number) });
    }
    assert.equal(taken.size, 12);
    const next = suggestTpe(space, observations, { goal: 'maximize', rng, startupTrials, isTaken: (x) => taken.has(keyOf(x)) });
    assert.equal(next, undefined);
  }
  // integer ranges are discrete too
  const intSpace: SearchSpace = { depth: { min: 1, max: 3, log: false }, head: ['dense', 'lstm'] };
  const taken = new Set<string>();
  const rng = createRng(5);
  for (let i = 0; i < 6; i++) {
    const a = suggestTpe(intSpace, [], { goal: 'maximize', rng, isTaken: (x) => taken.has(keyOf(x)) });
    assert.ok(a);
    taken.add(keyOf(a));
  }
  assert.equal(suggestTpe(intSpace, [], { goal: 'maximize', rng, isTaken: (x) => taken.has(keyOf(x)) }), undefined);
  // the empty space has exactly one assignment
  assert.deepEqual(suggestTpe({}, [], { goal: 'maximize', rng, isTaken: () => false }), {});
  assert.equal(suggestTpe({}, [], { goal: 'maximize', rng, isTaken: () => true }), undefined);
});

test('constant liar: a pending observation at the previous suggestion changes the next one', () => {
  let changed = 0;
  const seeds = 10;
  for (let seed = 0; seed < seeds; seed++) {
    const rng = createRng(100 + seed);
    const finished: Observation[] = Array.from({ length: 8 }, () => {
      const assignment = sampleRandom(mixedSpace, rng);
      return { assignment, value: mixedObjective(assignment) };
    });
    const opts = (s: number) => ({ goal: 'maximize' as const, rng: createRng(s), isTaken: () => false });
    const first = suggestTpe(mixedSpace, finished, opts(seed));
    assert.ok(first);
    // without the liar the model (and the same rng stream) proposes the same point again
    assert.deepEqual(suggestTpe(mixedSpace, finished, opts(seed)), first);
    const second = suggestTpe(mixedSpace, [...finished, { assignment: first, value: undefined }], opts(seed));
    assert.ok(second);
    if (keyOf(second) !== keyOf(first)) changed++;
  }
  assert.equal(changed, seeds, `the pending point moved the suggestion in ${changed}/${seeds} seeds`);
});

test('TPE beats random search on a synthetic objective (25 trials, 10 seeds)', () => {
  const tpe: number[] = [];
  const random: number[] = [];
  for (let seed = 0; seed < 10; seed++) {
    tpe.push(runSweep(mixedSpace, mixedObjective, 25, seed).best);
    random.push(runSweep(mixedSpace, mixedObjective, 25, seed, Number.POSITIVE_INFINITY).best);
  }
  const [mt, mr] = [median(tpe), median(random)];
  console.log(`median best: TPE ${mt.toFixed(4)}, random ${mr.toFixed(4)} (optimum ${MIXED_OPTIMUM})`);
  assert.ok(mt > mr, `TPE median ${mt} should beat random median ${mr}`);
  // clearly: at most 80% of random search's regret
  assert.ok(MIXED_OPTIMUM - mt <= 0.8 * (MIXED_OPTIMUM - mr), `clearly: TPE ${mt} vs random ${mr}`);
});

test('TPE gets near the optimum of a 48-point grid in 12 trials in most seeds', () => {
  const space: SearchSpace = { depth: [1, 2, 3, 4], width: [16, 32, 64], dropout: [0, 0.1, 0.2, 0.3] };
  const objective = (a: Assignment) =>
    0.9 - 0.05 * ((a.depth as number) - 3) ** 2 - 0.04 * (Math.log2(a.width as number) - 6) ** 2 - 0.5 * ((a.dropout as number) - 0.2) ** 2;
  const optimum = 0.9; // depth 3, width 64, dropout 0.2
  const tolerance = 0.006; // the optimum, or one dropout step away from it
  let near = 0;
  let nearRandom = 0;
  for (let seed = 0; seed < 10; seed++) {
    if (optimum - runSweep(space, objective, 12, seed).best <= tolerance) near++;
    if (optimum - runSweep(space, objective, 12, seed, Number.POSITIVE_INFINITY).best <= tolerance) nearRandom++;
  }
  console.log(`within ${tolerance} of the grid optimum after 12 of 48 points: TPE ${near}/10 seeds, random ${nearRandom}/10`);
  assert.ok(near >= 8, `TPE near the optimum in ${near}/10 seeds`);
  assert.ok(near > nearRandom, `TPE ${near}/10 vs random ${nearRandom}/10`);
});
