import { shuffleInPlace, type Rng } from '../../util/rng.js';
import type { SampleContext, Sampler } from '../sampler.js';
import {
  discreteDomain,
  fromInternal,
  internalInterval,
  type Assignment,
  type Dimension,
  type Domain,
  type SearchSpace,
} from '../space.js';

/** Random draws tried before enumerating (discrete spaces) or giving up (continuous ones). */
const RANDOM_TRIES = 50;
/** Extra random draws for spaces with a continuous dimension, which cannot be enumerated. */
const CONTINUOUS_RANDOM_TRIES = 1000;

function drawValue(dim: Dimension, rng: Rng): unknown {
  if (dim.kind === 'categorical') return dim.values[Math.floor(rng() * dim.values.length)];
  const { lo, hi } = internalInterval(dim);
  return fromInternal(dim, lo + rng() * (hi - lo));
}

/** A uniformly random assignment: lists uniformly, ranges uniformly (in log space for log ranges). */
export function sampleRandom(space: SearchSpace, rng: Rng): Assignment {
  const a: Assignment = {};
  for (const dim of space) a[dim.name] = drawValue(dim, rng);
  return a;
}

/**
 * Random search. Each suggestion is a fresh uniform draw that nobody tried yet: a few draws, then
 * (discrete spaces) every combination in a shuffled order, so a budget of N gives N distinct
 * configurations whenever the space has that many. TPE uses it for its startup trials.
 */
export class RandomSampler implements Sampler {
  readonly name = 'random';

  initial(space: SearchSpace, budget: number, ctx: SampleContext): Assignment[] {
    const seen = new Set<string>();
    const out: Assignment[] = [];
    const key = (a: Assignment) => JSON.stringify(space.map((d) => a[d.name]));
    for (let i = 0; i < budget; i++) {
      const a = this.suggest(space, [], { ...ctx, isTaken: (x) => seen.has(key(x)) || ctx.isTaken(x) });
      if (a === undefined) break;
      seen.add(key(a));
      out.push(a);
    }
    return out;
  }

  suggest(space: SearchSpace, _observations: unknown, ctx: SampleContext): Assignment | undefined {
    for (let tries = 0; tries < RANDOM_TRIES; tries++) {
      const a = sampleRandom(space, ctx.rng);
      if (!ctx.isTaken(a)) return a;
    }
    const domains = space.map(discreteDomain);
    if (!domains.every((d): d is Domain => d !== undefined)) {
      // A continuous dimension: collisions are practically impossible, unless isTaken is pathological.
      for (let tries = 0; tries < CONTINUOUS_RANDOM_TRIES; tries++) {
        const a = sampleRandom(space, ctx.rng);
        if (!ctx.isTaken(a)) return a;
      }
      return undefined;
    }
    return enumerate(space, domains, ctx.rng, ctx.isTaken);
  }
}

/**
 * Every combination, lazily, as an odometer over per-dimension shuffled value orders starting at a
 * random combination: memory stays small even for huge spaces, and the order is randomized.
 */
function enumerate(space: SearchSpace, domains: Domain[], rng: Rng, isTaken: (a: Assignment) => boolean): Assignment | undefined {
  const orders = domains.map((domain) => {
    if (domain.size > 1 << 16) return undefined; // too long to shuffle: identity order with a random start
    const order = Array.from({ length: domain.size }, (_, i) => i);
    shuffleInPlace(order, rng);
    return order;
  });
  const starts = domains.map((domain) => Math.floor(rng() * domain.size));
  const digits = domains.map(() => 0);
  for (;;) {
    const a: Assignment = {};
    space.forEach((dim, d) => {
      const domain = domains[d]!;
      const pos = (starts[d]! + digits[d]!) % domain.size;
      a[dim.name] = domain.at(orders[d]?.[pos] ?? pos);
    });
    if (!isTaken(a)) return a;
    let d = 0;
    while (d < digits.length) {
      digits[d]! += 1;
      if (digits[d]! < domains[d]!.size) break;
      digits[d] = 0;
      d++;
    }
    if (d === digits.length) return undefined;
  }
}
