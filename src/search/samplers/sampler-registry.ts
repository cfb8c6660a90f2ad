import type { SweepSpec } from '../../definition/sweep-spec.js';
import type { Sampler } from '../sampler.js';
import { GridSampler } from './grid.js';
import { RandomSampler } from './random.js';
import { TpeSampler } from './tpe.js';

/** The sampler of each `method` a spec may name: a new strategy is one file plus one line here. */
const SAMPLERS: Record<SweepSpec['method'], () => Sampler> = {
  grid: () => new GridSampler(),
  random: () => new RandomSampler(),
  tpe: () => new TpeSampler(),
};

export function samplerFor(method: SweepSpec['method']): Sampler {
  return SAMPLERS[method]();
}
