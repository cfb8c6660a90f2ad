import { createRng, type Rng } from '../util/rng.js';
import { canonicalJson, sha256Hex } from '../util/hash.js';
import { TRIAL_DEFAULTS, TrialConfigSchema, normalizeTrialConfig, type TrialConfig } from '../model/trial-config.js';
import { INTEGER_PARAMETERS, SWEEPABLE, type ParameterValues, type SweepSpec, type SweepableName } from './sweep-spec.js';

export interface Trial {
  trialId: string;
  config: TrialConfig;
}

/** A trial's id is a hash of its config, so the same variant always gets the same id. */
export function trialIdOf(config: TrialConfig): string {
  return sha256Hex(canonicalJson(config)).slice(0, 16);
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

/**
 * Expands a validated spec into its trials, in a stable order, without duplicates. A tpe
 * sweep has none up front: its trials are suggested as results arrive (src/search).
 */
export function expandTrials(spec: SweepSpec): Trial[] {
  if (spec.method === 'tpe') return [];
  const bases = spec.method === 'grid' ? gridConfigs(spec) : randomConfigs(spec);
  const trials = new Map<string, Trial>();
  for (const base of bases) {
    for (const seed of spec.seeds) {
      const config = normalizeTrialConfig(TrialConfigSchema.parse({ ...base, seed }));
      const trialId = trialIdOf(config);
      if (!trials.has(trialId)) trials.set(trialId, { trialId, config });
    }
  }
  return [...trials.values()];
}

type BaseConfig = Omit<TrialConfig, 'seed'>;

function gridConfigs(spec: SweepSpec): BaseConfig[] {
  let configs: BaseConfig[] = [{ ...TRIAL_DEFAULTS }];
  for (const name of SWEEPABLE) {
    const values = spec.parameters[name];
    if (!Array.isArray(values)) continue;
    configs = configs.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return configs;
}

/**
 * `count` random draws; a draw equal to an earlier one is drawn again (a few times), so a budget
 * of N gives N distinct configurations whenever the space has that many.
 */
function randomConfigs(spec: SweepSpec): BaseConfig[] {
  const rng = createRng(spec.samplerSeed);
  const seen = new Set<string>();
  const configs: BaseConfig[] = [];
  for (let i = 0; i < (spec.count ?? 0); i++) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const config: Record<string, unknown> = { ...TRIAL_DEFAULTS };
      for (const name of SWEEPABLE) {
        const values = spec.parameters[name];
        if (values !== undefined) config[name] = sample(name, values, rng);
      }
      const key = canonicalJson(config);
      if (seen.has(key) && attempt < 49) continue;
      seen.add(key);
      configs.push(config as BaseConfig);
      break;
    }
  }
  return configs;
}

function sample(name: SweepableName, values: ParameterValues, rng: Rng): unknown {
  if (Array.isArray(values)) return values[Math.floor(rng() * values.length)];
  const { min, max, log } = values;
  const u = rng();
  const x = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
  const value = INTEGER_PARAMETERS.has(name) ? Math.round(x) : Number(x.toPrecision(6));
  return Math.min(max, Math.max(min, value));
}
