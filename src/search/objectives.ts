import type { Assignment, Dimension, SearchSpace } from './space.js';

/**
 * Standard test functions over a generic search space, all minimised, each with its known minimum:
 * what `bench:search-peer` runs the samplers on (and a dry run can use as a trial's value), so a
 * search is measured as simple regret = best value found - `optimum`.
 */
export interface Objective {
  name: string;
  space: SearchSpace;
  evaluate(a: Assignment): number;
  /** The known minimum of `evaluate` over `space`. */
  optimum: number;
}

const float = (name: string, min: number, max: number, log = false): Dimension => ({ kind: 'float', name, min, max, log });
const int = (name: string, min: number, max: number, log = false): Dimension => ({ kind: 'int', name, min, max, log });
const categorical = (name: string, values: readonly unknown[]): Dimension => ({ kind: 'categorical', name, values });

/** The numeric value of a dimension, or an error naming it (an assignment from another space). */
function num(a: Assignment, name: string): number {
  const v = a[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`objective: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** Branin-Hoo on x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475). */
const branin: Objective = {
  name: 'branin',
  space: [float('x1', -5, 10), float('x2', 0, 15)],
  evaluate(a) {
    const x1 = num(a, 'x1');
    const x2 = num(a, 'x2');
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
  optimum: 0.397887,
};

const HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2];
const HARTMANN_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((p) => p * 1e-4));

/** Hartmann-6 on [0, 1]^6; minimum -3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573). */
const hartmann6: Objective = {
  name: 'hartmann6',
  space: [1, 2, 3, 4, 5, 6].map((i) => float(`x${i}`, 0, 1)),
  evaluate(a) {
    const x = [1, 2, 3, 4, 5, 6].map((i) => num(a, `x${i}`));
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += HARTMANN_A[i]![j]! * (x[j]! - HARTMANN_P[i]![j]!) ** 2;
      sum += HARTMANN_ALPHA[i]! * Math.exp(-inner);
    }
    return -sum;
  },
  optimum: -3.32237,
};

/**
 * Rosenbrock in 4-D on a positive domain searched on a log scale: x_i in [0.01, 10], log: true, so
 * the valley at x = (1, 1, 1, 1) (minimum 0) sits inside the range like a learning rate would.
 */
const rosenbrock4: Objective = {
  name: 'rosenbrock4',
  space: [1, 2, 3, 4].map((i) => float(`x${i}`, 0.01, 10, true)),
  evaluate(a) {
    const x = [1, 2, 3, 4].map((i) => num(a, `x${i}`));
    let sum = 0;
    for (let i = 0; i < 3; i++) sum += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
    return sum;
  },
  optimum: 0,
};

const LR_SCHEDULE_COST: Record<string, number> = { cosine: 0, plateau: 0.05, none: 0.15 };

/**
 * A 10-dimension stand-in for a sweep's loss surface, on dimensions named like this project's sweep
 * parameters: ints (some log), floats (some log) and lists. Every term is >= 0 and all are 0 at
 * once, so the minimum is exactly 0: depth 3, width 64, dropout = 0.1 + 0.05 ln(width / 16),
 * recurrentDropout 0, learningRate = 0.003 sqrt(batchSize / 32), batchSize 32, patch 4,
 * head dense, residual true, lrSchedule cosine. Interactions (dropout with width, learning rate
 * with batch size, residual with depth) keep it from being separable.
 */
const mixed10: Objective = {
  name: 'mixed10',
  space: [
    int('depth', 1, 6),
    int('width', 8, 256, true),
    float('dropout', 0, 0.5),
    float('recurrentDropout', 0, 0.5),
    float('learningRate', 1e-4, 1e-1, true),
    int('batchSize', 8, 256, true),
    int('patch', 1, 16),
    categorical('head', ['dense', 'lstm']),
    categorical('residual', [true, false]),
    categorical('lrSchedule', ['none', 'plateau', 'cosine']),
  ],
  evaluate(a) {
    const depth = num(a, 'depth');
    const width = num(a, 'width');
    const batch = num(a, 'batchSize');
    const lrTarget = Math.log(0.003) + 0.5 * Math.log(batch / 32);
    const dropoutTarget = 0.1 + 0.05 * Math.log(width / 16);
    const schedule = LR_SCHEDULE_COST[String(a.lrSchedule)];
    if (schedule === undefined) throw new Error(`objective: lrSchedule must be none, plateau or cosine, got ${String(a.lrSchedule)}`);
    return (
      0.15 * (depth - 3) ** 2 +
      0.3 * Math.log(width / 64) ** 2 +
      4 * (num(a, 'dropout') - dropoutTarget) ** 2 +
      2 * num(a, 'recurrentDropout') ** 2 +
      0.5 * (Math.log(num(a, 'learningRate')) - lrTarget) ** 2 +
      0.1 * Math.log(batch / 32) ** 2 +
      0.02 * (num(a, 'patch') - 4) ** 2 +
      (a.head === 'dense' ? 0 : 0.3) +
      (a.residual === true ? 0 : 0.2 * (depth - 1)) +
      schedule
    );
  },
  optimum: 0,
};

export const OBJECTIVES: Record<'branin' | 'hartmann6' | 'rosenbrock4' | 'mixed10', Objective> = {
  branin,
  hartmann6,
  rosenbrock4,
  mixed10,
};
