/**
 * Learning-rate schedules (`lrSchedule`): the Adam learning rate of every epoch, set on the
 * engine before the epoch's first batch. Per epoch, not per step, so that a cross-validation
 * refit on more series (more steps per epoch) sees the same rate in epoch e as the folds did.
 *
 * - `none`: `learningRate` throughout;
 * - `cosine`: Keras `CosineDecay(learningRate, decay_steps=horizon, alpha=0.01)` at step e - 1:
 *   lr(e) = learningRate * (0.99 * (1 + cos(pi * (e - 1) / horizon)) / 2 + 0.01), from
 *   learningRate in epoch 1 down towards learningRate / 100;
 * - `plateau`: Keras `ReduceLROnPlateau(monitor='loss', factor=0.5, patience=p,
 *   min_lr=learningRate / 10, min_delta=1e-4, cooldown=0)`, the protocol of Fawaz et al. 2019
 *   (FCN/ResNet: patience 50 of 1500 epochs, min_lr 1e-4 for lr 1e-3). Their patience scaled to
 *   the budget: p = max(2, round(horizon / 30)), e.g. 7 for 200 epochs, 2 for 20.
 *
 * `horizon` is the config's epoch budget (`epochs`), also for the cross-validation refit that
 * trains fewer epochs: its rates are the first epochs of the same schedule.
 */
import type { LrSchedule } from './trial-config.js';

export const COSINE_ALPHA = 0.01;
export const PLATEAU_FACTOR = 0.5;
export const PLATEAU_MIN_FRACTION = 0.1;
export const PLATEAU_MIN_DELTA = 1e-4;

export function plateauPatience(horizon: number): number {
  return Math.max(2, Math.round(horizon / 30));
}

export function cosineRate(learningRate: number, epoch: number, horizon: number): number {
  const progress = Math.min(1, (epoch - 1) / horizon);
  return learningRate * ((1 - COSINE_ALPHA) * 0.5 * (1 + Math.cos(Math.PI * progress)) + COSINE_ALPHA);
}

export interface LrScheduler {
  /** the rate of the next epoch */
  readonly rate: number;
  /** after epoch `epoch` (1-based) with mean training loss `loss`: moves to the next epoch's rate */
  endEpoch(epoch: number, loss: number): void;
}

export function createLrScheduler(schedule: LrSchedule, learningRate: number, horizon: number): LrScheduler {
  if (schedule === 'cosine') {
    const s = {
      rate: learningRate,
      endEpoch(epoch: number) {
        s.rate = cosineRate(learningRate, epoch + 1, horizon);
      },
    };
    return s;
  }
  if (schedule === 'plateau') {
    const patience = plateauPatience(horizon);
    const minRate = learningRate * PLATEAU_MIN_FRACTION;
    let best = Infinity;
    let wait = 0;
    const s = {
      rate: learningRate,
      endEpoch(_epoch: number, loss: number) {
        if (loss < best - PLATEAU_MIN_DELTA) {
          best = loss;
          wait = 0;
          return;
        }
        wait++;
        if (wait >= patience && s.rate > minRate) {
          s.rate = Math.max(s.rate * PLATEAU_FACTOR, minRate);
          wait = 0;
        }
      },
    };
    return s;
  }
  return { rate: learningRate, endEpoch: () => undefined };
}
