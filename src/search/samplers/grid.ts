import type { SampleContext, Sampler } from '../sampler.js';
import type { Assignment, SearchSpace } from '../space.js';

/** Every combination of the listed values, the first dimension varying slowest. */
function* combinations(space: SearchSpace): Generator<Assignment> {
  const lists = space.map((dim) => {
    if (dim.kind !== 'categorical') throw new Error(`grid search needs a list of values for ${dim.name}, not a range`);
    return dim.values;
  });
  const digits = lists.map(() => 0);
  if (lists.some((l) => l.length === 0)) return;
  for (;;) {
    const a: Assignment = {};
    space.forEach((dim, d) => (a[dim.name] = lists[d]![digits[d]!]));
    yield a;
    let d = digits.length - 1;
    while (d >= 0) {
      digits[d]! += 1;
      if (digits[d]! < lists[d]!.length) break;
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
