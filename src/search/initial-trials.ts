import type { SweepSpec } from '../definition/sweep-spec.js';
import { trialOf, type Trial } from '../definition/trials.js';
import { createRng } from '../util/rng.js';
import { samplerFor } from './samplers/sampler-registry.js';
import { sweepSpace } from './space.js';

/**
 * The trials queued when a spec is enqueued, in a stable order, without duplicates: what its
 * sampler draws up front (every grid point; `count` random draws, seeded by samplerSeed), each
 * once per seed. A tpe sweep has none up front: its trials are suggested as results arrive.
 */
export function expandTrials(spec: SweepSpec): Trial[] {
  const assignments = samplerFor(spec.method).initial(sweepSpace(spec.parameters), spec.count ?? 0, {
    goal: spec.metric.goal,
    rng: createRng(spec.samplerSeed),
    isTaken: () => false,
  });
  const trials = new Map<string, Trial>();
  for (const assignment of assignments) {
    for (const seed of spec.seeds) {
      const trial = trialOf(assignment, seed);
      if (!trials.has(trial.trialId)) trials.set(trial.trialId, trial);
    }
  }
  return [...trials.values()];
}
