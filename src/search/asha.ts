import type { Redis } from 'ioredis';
import type { Metric } from '../definition/sweep-spec.js';
import { Keys } from '../store/keys.js';

export interface AshaConfig {
  minEpochs: number;
  reductionFactor: number;
}

/** The epochs at which a trial of `maxEpochs` is compared with its peers: minEpochs·η^k < maxEpochs. */
export function rungsOf({ minEpochs, reductionFactor }: AshaConfig, maxEpochs: number): number[] {
  const rungs: number[] = [];
  for (let r = minEpochs; r < maxEpochs; r *= reductionFactor) rungs.push(r);
  return rungs;
}

/**
 * Records a trial's value at a rung and decides, in one atomic step, whether it continues: only
 * the top max(1, ⌊n/η⌋) of the n trials that have reached this rung so far go on (ties go on).
 * Several workers reaching the same rung at once are serialized by Redis. A re-delivered trial
 * overwrites its own entry.
 */
const RUNG_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
local keep = math.max(1, math.floor(n / tonumber(ARGV[3])))
local better = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf')
if better < keep then return 1 end
return 0
`;

export class Asha {
  private readonly keys: Keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly config: AshaConfig,
    private readonly metric: Metric,
  ) {
    this.keys = new Keys(prefix);
  }

  isRung(epoch: number, maxEpochs: number): boolean {
    return rungsOf(this.config, maxEpochs).includes(epoch);
  }

  /** true: the trial goes on; false: prune it. */
  async report(sweepId: string, trialId: string, epoch: number, value: number): Promise<boolean> {
    // Higher is better in the sorted set; an undefined metric (NaN) is the worst.
    const score = Number.isFinite(value) ? (this.metric.goal === 'maximize' ? value : -value) : '-inf';
    const keep = await this.redis.eval(RUNG_SCRIPT, 1, this.keys.rung(sweepId, epoch), trialId, String(score), String(this.config.reductionFactor));
    return keep === 1;
  }
}
