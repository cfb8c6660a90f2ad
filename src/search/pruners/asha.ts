import type { Metric } from '../../definition/sweep-spec.js';
import type { SweepStore } from '../../store/sweep-store.js';
import type { Pruner } from '../pruner.js';

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
 * Asynchronous successive halving (Li et al. 2020): at each rung a trial continues only if it is
 * in the top max(1, ⌊n/η⌋) of the n trials that have reached this rung so far (ties go on). The
 * store records the value and counts the better ones in one atomic step, so several workers
 * reaching the same rung at once are serialized.
 */
export class AshaPruner implements Pruner {
  constructor(
    private readonly store: Pick<SweepStore, 'addToRung'>,
    private readonly config: AshaConfig,
    private readonly metric: Metric,
  ) {}

  isCheckpoint(epoch: number, maxEpochs: number): boolean {
    return rungsOf(this.config, maxEpochs).includes(epoch);
  }

  async report(sweepId: string, trialId: string, epoch: number, value: number): Promise<boolean> {
    // Higher is better in the rung; an undefined metric (NaN) is the worst.
    const score = Number.isFinite(value) ? (this.metric.goal === 'maximize' ? value : -value) : '-inf';
    const { reached, better } = await this.store.addToRung(sweepId, epoch, trialId, score);
    return better < Math.max(1, Math.floor(reached / this.config.reductionFactor));
  }
}
