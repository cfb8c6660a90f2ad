/**
 * How a dry-run sweep with `dryRun: { objective }` turns a trial's configuration into a point of
 * a synthetic test function (src/search/objectives.ts), so the whole distributed search (suggester,
 * lock, constant liar, workers) can be measured against a known optimum.
 *
 * The mapping is generic:
 * - The sweep's varied parameters (a {min, max} range with min < max, or a list of two or more
 *   values) pair with the objective's dimensions, as many of each. When every dimension is named
 *   like a varied parameter (mixed10), by name; otherwise by position: the i-th varied parameter in
 *   the vocabulary's order (depth, width, dropout, ... as `sweepSpace` lists them) gives the
 *   objective's i-th dimension. Single values (`epochs: [30]`) are fixed, not mapped.
 * - A numeric dimension (int, float, log-float) takes a range: the value's position in the range,
 *   measured on a log scale for a `log: true` range, is the same position in the dimension's
 *   [min, max] (log scale for a log dimension; rounded for an int one), so a range equal to the
 *   dimension maps each value onto itself. An integer range of n values gives n points along the
 *   dimension: wide ranges (`width: { min: 1, max: 4096 }`) lose nothing that matters.
 * - A categorical dimension takes a list of exactly as many values: the k-th listed value is its
 *   k-th category.
 * Anything else is refused (at enqueue) with the reason.
 */
import { dryRunObjective, type DryRun } from '../definition/sweep-spec.js';
import { OBJECTIVES, type Objective } from './objectives.js';
import { type Assignment, type Dimension, type NumericDimension, type SearchSpace } from './space.js';

export interface ObjectiveFit {
  objective: Objective;
  /** the objective's i-th dimension is given by the sweep's dimension `from[i]` */
  from: readonly Dimension[];
}

/** Why a sweep's parameters do not fit an objective; the message says what to change. */
export class ObjectiveFitError extends Error {
  override name = 'ObjectiveFitError';
}

/** The dimensions of a sweep's space that take more than one value. */
export function variedDimensions(space: SearchSpace): Dimension[] {
  return space.filter((d) => (d.kind === 'categorical' ? d.values.length > 1 : d.min < d.max));
}

function describe(dim: Dimension): string {
  if (dim.kind === 'categorical') return `${dim.name}: categorical, ${dim.values.length} values`;
  return `${dim.name}: ${dim.log ? 'log-' : ''}${dim.kind} in [${dim.min}, ${dim.max}]`;
}

/** Pairs the sweep's varied parameters with the objective's dimensions, or throws ObjectiveFitError. */
export function fitObjective(objective: Objective, space: SearchSpace): ObjectiveFit {
  const varied = variedDimensions(space);
  const dims = objective.space;
  const byName = dims.map((dim) => varied.find((d) => d.name === dim.name));
  const from = varied.length === dims.length && byName.every((d) => d !== undefined) ? (byName as Dimension[]) : varied;
  const wanted = `${objective.name} has ${dims.length} dimensions (${dims.map(describe).join('; ')})`;
  if (from.length !== dims.length) {
    const names = from.length === 0 ? 'none' : from.map((d) => d.name).join(', ');
    throw new ObjectiveFitError(
      `dryRun.objective: ${wanted}, but the sweep varies ${from.length} parameters (${names}): vary exactly ${dims.length}, ` +
        `named like the dimensions or else the i-th in the vocabulary's order for the i-th dimension ({min, max} ranges for numeric dimensions, lists of as many values for categorical ones)`,
    );
  }
  const problems: string[] = [];
  dims.forEach((dim, i) => {
    const param = from[i]!;
    const onto = `maps onto ${objective.name}'s dimension ${i + 1} (${describe(dim)})`;
    if (dim.kind === 'categorical') {
      if (param.kind !== 'categorical')
        problems.push(`parameter ${param.name} is a range but ${onto}: give it a list of ${dim.values.length} values`);
      else if (param.values.length !== dim.values.length)
        problems.push(`parameter ${param.name} lists ${param.values.length} values but ${onto}: list exactly ${dim.values.length}`);
    } else if (param.kind === 'categorical') {
      problems.push(`parameter ${param.name} is a list but ${onto}: give it a {min, max} range`);
    }
  });
  if (problems.length > 0) throw new ObjectiveFitError(`dryRun.objective: ${problems.join('; ')}`);
  return { objective, from };
}

/** The fit of a sweep's `dryRun` setting, or undefined when it names no objective. */
export function fitDryRun(dryRun: DryRun, space: SearchSpace): ObjectiveFit | undefined {
  const name = dryRunObjective(dryRun);
  return name === undefined ? undefined : fitObjective(OBJECTIVES[name], space);
}

const scale = (dim: NumericDimension, v: number) => (dim.log ? Math.log(v) : v);

/** Where a value lies in a range, 0 at min and 1 at max (log scale for a log range). */
function position(range: NumericDimension, value: number): number {
  const [lo, hi] = [scale(range, range.min), scale(range, range.max)];
  return Math.min(1, Math.max(0, (scale(range, value) - lo) / (hi - lo)));
}

/** The value of a numeric dimension at a position 0..1 of its [min, max] (rounded for an int dimension). */
function valueAt(dim: NumericDimension, u: number): number {
  if (u <= 0 || u >= 1) return u <= 0 ? dim.min : dim.max; // exact, without exp(log(x)) rounding
  const [lo, hi] = [scale(dim, dim.min), scale(dim, dim.max)];
  const x = lo + u * (hi - lo);
  const raw = dim.log ? Math.exp(x) : x;
  return Math.min(dim.max, Math.max(dim.min, dim.kind === 'int' ? Math.round(raw) : raw));
}

/** The objective's point for values of the sweep's parameters (an assignment of its space). */
export function objectivePoint(fit: ObjectiveFit, assignment: Assignment): Assignment {
  const point: Assignment = {};
  fit.objective.space.forEach((dim, i) => {
    const param = fit.from[i]!;
    const value = assignment[param.name];
    if (dim.kind === 'categorical') {
      const k = param.kind === 'categorical' ? param.values.indexOf(value) : -1;
      if (k < 0) throw new ObjectiveFitError(`${param.name} = ${String(value)} is none of the listed values`);
      point[dim.name] = dim.values[k];
    } else {
      if (typeof value !== 'number' || param.kind === 'categorical')
        throw new ObjectiveFitError(`${param.name} = ${String(value)} is not in its range`);
      point[dim.name] = valueAt(dim, position(param, value));
    }
  });
  return point;
}

/** The objective's value at the sweep's parameter values. */
export function evaluateFit(fit: ObjectiveFit, assignment: Assignment): number {
  return fit.objective.evaluate(objectivePoint(fit, assignment));
}
