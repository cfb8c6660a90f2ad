import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OBJECTIVES } from '../../../src/search/objectives.js';
import type { SampleContext } from '../../../src/search/sampler.js';
import { GridSampler } from '../../../src/search/samplers/grid.js';
import { RandomSampler } from '../../../src/search/samplers/random.js';
import { TpeSampler } from '../../../src/search/samplers/tpe.js';
import type { Assignment, Dimension, Observation, SearchSpace } from '../../../src/search/space.js';
import { createRng } from '../../../src/util/rng.js';

const ctx = (seed: number, taken = new Set<string>()): SampleContext & { taken: Set<string> } => ({
  goal: 'minimize',
  rng: createRng(seed),
  isTaken: (a) => taken.has(JSON.stringify(a)),
  taken,
});

function assertInSpace(space: SearchSpace, a: Assignment): void {
  assert.deepEqual(Object.keys(a).sort(), space.map((d) => d.name).sort());
  for (const dim of space) {
    const v = a[dim.name];
    if (dim.kind === 'categorical') assert.ok(dim.values.includes(v), `${dim.name}=${String(v)}`);
    else {
      assert.ok(typeof v === 'number' && v >= dim.min && v <= dim.max, `${dim.name}=${String(v)}`);
      if (dim.kind === 'int') assert.ok(Number.isInteger(v), `${dim.name}=${v} is an integer`);
    }
  }
}

test('grid over a generic space: int ranges (log too) enumerate every integer, lists every value', () => {
  const space: Dimension[] = [
    { kind: 'int', name: 'depth', min: 1, max: 3, log: false },
    { kind: 'int', name: 'batch', min: 8, max: 10, log: true },
    { kind: 'categorical', name: 'residual', values: [true, false] },
  ];
  const all = new GridSampler().initial(space, 0, ctx(1));
  assert.equal(all.length, 3 * 3 * 2);
  assert.equal(new Set(all.map((a) => JSON.stringify(a))).size, all.length);
  assert.deepEqual(all[0], { depth: 1, batch: 8, residual: true });
  assert.deepEqual(all.at(-1), { depth: 3, batch: 10, residual: false });
  all.forEach((a) => assertInSpace(space, a));
  const taken = new Set(all.slice(0, 5).map((a) => JSON.stringify(a)));
  assert.deepEqual(new GridSampler().suggest(space, [], ctx(1, taken)), all[5]);
  assert.throws(() => new GridSampler().initial([{ kind: 'float', name: 'lr', min: 0, max: 1, log: false }], 0, ctx(1)), /lr.*float range/);
});

test('random and TPE run on every standard objective space, values always legal and never repeated', () => {
  for (const objective of Object.values(OBJECTIVES)) {
    for (const sampler of [new RandomSampler(), new TpeSampler()]) {
      const c = ctx(11);
      const observations: Observation[] = [];
      for (let i = 0; i < 30; i++) {
        const a = sampler.suggest(objective.space, observations, c);
        assert.ok(a, `${sampler.name} on ${objective.name}`);
        assertInSpace(objective.space, a);
        const key = JSON.stringify(a);
        assert.ok(!c.taken.has(key), 'not suggested twice');
        c.taken.add(key);
        observations.push({ assignment: a, value: objective.evaluate(a) });
      }
    }
  }
});

/** Median best regret of `seeds` sequential runs of `budget` trials. */
function medianRegret(
  sampler: TpeSampler | RandomSampler,
  objective: (typeof OBJECTIVES)['hartmann6'],
  budget: number,
  seeds: number,
): number {
  const regrets: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const c = ctx(seed);
    const observations: Observation[] = [];
    let best = Infinity;
    for (let i = 0; i < budget; i++) {
      const a = sampler.suggest(objective.space, observations, c)!;
      c.taken.add(JSON.stringify(a));
      const value = objective.evaluate(a);
      observations.push({ assignment: a, value });
      best = Math.min(best, value);
    }
    regrets.push(best - objective.optimum);
  }
  regrets.sort((x, y) => x - y);
  return regrets[Math.floor(seeds / 2)]!;
}

test('TPE (multivariate default) at most half of random search regret on Hartmann-6 and mixed10 (100 trials, 5 seeds)', () => {
  for (const objective of [OBJECTIVES.hartmann6, OBJECTIVES.mixed10]) {
    const tpe = medianRegret(new TpeSampler(), objective, 100, 5);
    const random = medianRegret(new RandomSampler(), objective, 100, 5);
    assert.ok(tpe <= 0.5 * random, `${objective.name}: TPE ${tpe} vs random ${random}`);
  }
});

test('TPE: the joint model while few trials are pending, the independent one with 8 or more', () => {
  const { space, evaluate } = OBJECTIVES.mixed10;
  const rng = createRng(9);
  const finished: Observation[] = Array.from({ length: 20 }, () => {
    const a = new RandomSampler().suggest(space, [], { goal: 'minimize', rng, isTaken: () => false })!;
    return { assignment: a, value: evaluate(a) };
  });
  const pendingOf = (n: number) => finished.slice(0, n).map((o) => ({ assignment: { ...o.assignment, patch: 16 }, value: undefined }));
  const suggest = (pending: number, multivariate: boolean) =>
    new TpeSampler({ multivariate }).suggest(space, [...finished, ...pendingOf(pending)], ctx(3));
  assert.notDeepEqual(suggest(2, true), suggest(2, false));
  assert.deepEqual(suggest(8, true), suggest(8, false));
});
