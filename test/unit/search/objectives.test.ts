import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OBJECTIVES } from '../../../src/search/objectives.js';
import { sampleRandom } from '../../../src/search/samplers/random.js';
import { createRng } from '../../../src/util/rng.js';
import type { Assignment } from '../../../src/search/space.js';

const near = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

/** The named point as an assignment x1..xn. */
const xs = (...values: number[]): Assignment => Object.fromEntries(values.map((v, i) => [`x${i + 1}`, v]));

test('branin: the three global minima and a corner', () => {
  const { evaluate, optimum } = OBJECTIVES.branin;
  for (const [x1, x2] of [
    [-Math.PI, 12.275],
    [Math.PI, 2.275],
    [9.42478, 2.475],
  ]) {
    near(evaluate(xs(x1!, x2!)), optimum, 1e-5, `branin(${x1}, ${x2})`);
  }
  // (-5, 0): (0 - 5.1*25/(4 pi^2) - 25/pi - 6)^2 + 10 (1 - 1/(8 pi)) cos(-5) + 10
  near(evaluate(xs(-5, 0)), 308.129096, 1e-5, 'branin(-5, 0)');
});

test('hartmann6: the global minimum, the origin and the centre', () => {
  const { evaluate, optimum } = OBJECTIVES.hartmann6;
  near(evaluate(xs(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)), optimum, 1e-5, 'hartmann6 at x*');
  near(optimum, -3.32237, 1e-9, 'known minimum');
  near(evaluate(xs(0, 0, 0, 0, 0, 0)), -0.0050891129, 1e-9, 'hartmann6 at 0');
  near(evaluate(xs(0.5, 0.5, 0.5, 0.5, 0.5, 0.5)), -0.505314992, 1e-8, 'hartmann6 at the centre');
});

test('rosenbrock4: 0 at ones, known values elsewhere, log-scaled positive ranges', () => {
  const { evaluate, optimum, space } = OBJECTIVES.rosenbrock4;
  assert.equal(optimum, 0);
  assert.equal(evaluate(xs(1, 1, 1, 1)), 0);
  // x = (2, 1, 1, 1): 100 (1 - 4)^2 + (1 - 2)^2 = 901
  assert.equal(evaluate(xs(2, 1, 1, 1)), 901);
  assert.ok(space.every((d) => d.kind === 'float' && d.log && d.min > 0 && d.min < 1 && d.max > 1));
});

test('mixed10: 0 at the documented optimum, positive off it, every kind of dimension', () => {
  const { evaluate, optimum, space } = OBJECTIVES.mixed10;
  assert.equal(space.length, 10);
  const kinds = new Set(space.map((d) => (d.kind === 'categorical' ? 'categorical' : `${d.kind}${d.log ? '-log' : ''}`)));
  for (const kind of ['int', 'int-log', 'float', 'float-log', 'categorical']) assert.ok(kinds.has(kind), kind);
  const best: Assignment = {
    depth: 3,
    width: 64,
    dropout: 0.1 + 0.05 * Math.log(4),
    recurrentDropout: 0,
    learningRate: 0.003,
    batchSize: 32,
    patch: 4,
    head: 'dense',
    residual: true,
    lrSchedule: 'cosine',
  };
  assert.equal(optimum, 0);
  near(evaluate(best), 0, 1e-12, 'at the optimum');
  // the learning-rate optimum moves with the batch size: lr 0.006 at batch 128 costs only the batch term
  near(evaluate({ ...best, batchSize: 128, learningRate: 0.006 }), 0.1 * Math.log(4) ** 2, 1e-12, 'lr follows batch');
  near(evaluate({ ...best, head: 'lstm' }), 0.3, 1e-12, 'head');
  near(evaluate({ ...best, residual: false }), 0.4, 1e-12, 'residual at depth 3');
  near(evaluate({ ...best, lrSchedule: 'none' }), 0.15, 1e-12, 'schedule');
  assert.throws(() => evaluate({ ...best, lrSchedule: 'step' }), /lrSchedule/);
});

test('every objective: random points lie in the space and never go below the known minimum', () => {
  const rng = createRng(3);
  for (const objective of Object.values(OBJECTIVES)) {
    for (let i = 0; i < 2000; i++) {
      const value = objective.evaluate(sampleRandom(objective.space, rng));
      assert.ok(Number.isFinite(value) && value >= objective.optimum - 1e-6, `${objective.name}: ${value}`);
    }
  }
});
