import type { Rng } from '../util/rng.js';
import type { Assignment, Observation, SearchSpace } from './space.js';

/** What a sampler is told besides the space and the history. */
export interface SampleContext {
  goal: 'maximize' | 'minimize';
  /** Everything random goes through it: the same stream and inputs give the same suggestion. */
  rng: Rng;
  /** true for an assignment already tried (or pending) in this search: such are never returned. */
  isTaken: (a: Assignment) => boolean;
}

/**
 * A search strategy (grid, random, TPE), one file each under `samplers/`, registered in
 * `samplers/sampler-registry.ts`. Samplers are pure: the suggester (`suggester.ts`) feeds them what the
 * store holds, and writes what they return.
 */
export interface Sampler {
  readonly name: string;
  /**
   * The assignments queued when the sweep is enqueued: every one for grid, `budget` draws for
   * random, none for a sampler that learns from results (TPE suggests as results arrive).
   */
  initial(space: SearchSpace, budget: number, ctx: SampleContext): Assignment[];
  /** The next assignment given the observations so far, or undefined when no untaken one is left. */
  suggest(space: SearchSpace, observations: readonly Observation[], ctx: SampleContext): Assignment | undefined;
}
