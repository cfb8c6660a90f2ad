import { INTEGER_PARAMETERS, SWEEPABLE, type ParameterValues, type SweepSpec } from '../definition/sweep-spec.js';

/**
 * A search space, independent of what is searched: named dimensions, each categorical (a list of
 * values) or numeric (an int or float range, optionally log-scaled). The sweep's parameters are
 * one such space (`sweepSpace`); a benchmark's test function is another.
 */
export type Dimension =
  | { kind: 'categorical'; name: string; values: readonly unknown[] }
  | { kind: 'int' | 'float'; name: string; min: number; max: number; log: boolean };
export type NumericDimension = Extract<Dimension, { kind: 'int' | 'float' }>;
export type SearchSpace = readonly Dimension[];

/** Values for the dimensions of a space, by name. */
export type Assignment = Record<string, unknown>;

export interface Observation {
  assignment: Assignment;
  /** Objective value; undefined = still running (pending) or failed. */
  value: number | undefined;
}

/** The swept parameters of a spec, as the spec lists them (a list or a range per parameter). */
export type ParameterSpace = Partial<SweepSpec['parameters']>;

/** The space a sweep searches: its swept parameters in the vocabulary's order. */
export function sweepSpace(parameters: ParameterSpace): SearchSpace {
  const dims: Dimension[] = [];
  for (const name of SWEEPABLE) {
    const values = parameters[name] as ParameterValues | undefined;
    if (values === undefined) continue;
    if (Array.isArray(values)) {
      if (values.length === 0) throw new Error(`parameter ${name} lists no values`);
      dims.push({ kind: 'categorical', name, values });
    } else {
      const { min, max, log } = values as { min: number; max: number; log?: boolean };
      dims.push({ kind: INTEGER_PARAMETERS.has(name) ? 'int' : 'float', name, min, max, log: log === true });
    }
  }
  return dims;
}

/**
 * The sampling interval of a numeric dimension in internal (possibly log) space; integers get
 * half a step either side, so each integer, the endpoints included, is equally likely.
 */
export function internalInterval(dim: NumericDimension): { lo: number; hi: number } {
  const a = dim.kind === 'int' ? dim.min - 0.5 : dim.min;
  const b = dim.kind === 'int' ? dim.max + 0.5 : dim.max;
  return dim.log ? { lo: Math.log(a), hi: Math.log(b) } : { lo: a, hi: b };
}

/** A point of the internal interval as a legal value: rounded (integers) or to 6 digits, clamped. */
export function fromInternal(dim: NumericDimension, x: number): number {
  const raw = dim.log ? Math.exp(x) : x;
  const value = dim.kind === 'int' ? Math.round(raw) : Number(raw.toPrecision(6));
  return Math.min(dim.max, Math.max(dim.min, value));
}

/** A finite, indexable set of values. */
export interface Domain {
  size: number;
  at: (i: number) => unknown;
}

/** The values a dimension can take, or undefined for a continuous float range. */
export function discreteDomain(dim: Dimension): Domain | undefined {
  if (dim.kind === 'categorical') return { size: dim.values.length, at: (i) => dim.values[i] };
  if (dim.kind === 'int') return { size: dim.max - dim.min + 1, at: (i) => dim.min + i };
  return dim.min === dim.max ? { size: 1, at: () => dim.min } : undefined;
}
