import type { SweepableName } from './vocabulary.js';

/**
 * The search space of a spec that names no `parameters` at all (a spec naming only its files):
 * 12 configurations over what mattered on the dev sets (GunPoint, ItalyPowerDemand, ECG200,
 * Strawberry, BasicMotions), chosen by validation figures only, never by test accuracy, and the
 * same for every dataset. Input patching changed the validation figures most (and cuts the cost
 * of long series 3-7x); dropout and depth each won on some dev sets and lost on others, so the
 * sweep tries both. Every other knob takes its default (TRIAL_DEFAULTS); `parameters: {}` still
 * means one trial of the defaults. README "Default search space" has the measurements.
 */
export const DEFAULT_SEARCH_SPACE = {
  patch: [4, 8, 16],
  dropout: [0, 0.2],
  depth: [1, 2],
} as const satisfies Partial<Record<SweepableName, readonly (number | string | boolean)[]>>;
