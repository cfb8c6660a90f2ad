import { canonicalJson, sha256Hex } from '../util/hash.js';
import { TRIAL_DEFAULTS, TrialConfigSchema, normalizeTrialConfig, type TrialConfig } from '../model/trial-config.js';
import { SWEEPABLE, type SweepSpec } from './sweep-spec.js';

export interface Trial {
  trialId: string;
  config: TrialConfig;
}

/** A trial's id is a hash of its config, so the same variant always gets the same id. */
export function trialIdOf(config: TrialConfig): string {
  return sha256Hex(canonicalJson(config)).slice(0, 16);
}

/** The trial for values of the swept parameters and a seed; every other knob takes its default. */
export function trialOf(assignment: Record<string, unknown>, seed: number): Trial {
  const config = normalizeTrialConfig(TrialConfigSchema.parse({ ...TRIAL_DEFAULTS, ...assignment, seed }));
  return { trialId: trialIdOf(config), config };
}

/** How many trials a spec expands to, without building them (guards against huge grids). */
export function countTrials(spec: SweepSpec): number {
  if (spec.method !== 'grid') return (spec.count ?? 0) * spec.seeds.length;
  let n = spec.seeds.length;
  for (const name of SWEEPABLE) {
    const values = spec.parameters[name];
    if (Array.isArray(values)) n *= values.length;
  }
  return n;
}
