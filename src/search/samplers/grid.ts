import type { SampleContext, Sampler } from '../sampler.js';
import { discreteDomain, type Assignment, type SearchSpace } from '../space.js';

/**
 * Every combination of the dimensions' values, the first dimension varying slowest: the listed
 * values of a categorical dimension, every integer of an int range (log or not). A float range has
 * no finite set of values, so a grid over it is an error (a spec's grid lists values anyway).
 */
function* combinations(space: SearchSpace): Generator<Assignment> {
  const domains = space.map((dim) => {
    const domain = discreteDomain(dim);
    if (domain === undefined) throw new Error(`grid search needs a list of values for ${dim.name}, not a float range`);
    return domain;
  });
  const digits = domains.map(() => 0);
  if (domains.some((l) => l.size <= 0)) return;
  for (;;) {
    const a: Assignment = {};
    space.forEach((dim, d) => (a[dim.name] = domains[d]!.at(digits[d]!)));
    yield a;
    let d = digits.length - 1;
    while (d >= 0) {
      digits[d]! += 1;
      if (digits[d]! < domains[d]!.size) break;
      digits[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}

/** Grid search: every combination, in a fixed order, all queued at enqueue. */
export class GridSampler implements Sampler {
  readonly name = 'grid';

  initial(space: SearchSpace, _budget: number, ctx: SampleContext): Assignment[] {
    return [...combinations(space)].filter((a) => !ctx.isTaken(a));
  }

  suggest(space: SearchSpace, _observations: unknown, ctx: SampleContext): Assignment | undefined {
    for (const a of combinations(space)) if (!ctx.isTaken(a)) return a;
    return undefined;
  }
}
