import { DATASET_HASH, KEY_PREFIX, SWEEP_ID, hashTagOf } from '../definition/ids.js';
import { UserError } from '../util/errors.js';

/**
 * Every identifier that becomes part of a key is checked against the form lstm-sweep makes
 * (src/definition/ids.ts), here where all keys are made: a crafted id can never reach another
 * sweep's keys or leave orphans under made-up names.
 */
function checkId(pattern: RegExp, value: string, what: string): void {
  if (!pattern.test(value)) throw new UserError(`not a ${what} made by lstm-sweep: ${JSON.stringify(value.slice(0, 100))}`);
}

/**
 * Every Redis key lstm-sweep owns, in one place. Results live in their own keys, apart from
 * BullMQ's, so queue retention settings can never delete a result.
 */
export class Keys {
  /**
   * `cluster`: the keys live in a Redis Cluster, which refuses Lua scripts and MULTI blocks whose
   * keys hash to different slots (CROSSSLOT), and every BullMQ operation is such a script. The
   * prefix must then carry a hash tag (`{lsw}`), putting every key under it in one slot.
   */
  constructor(
    readonly prefix: string,
    opts: { cluster?: boolean } = {},
  ) {
    checkId(KEY_PREFIX, prefix, 'key prefix');
    if (opts.cluster && hashTagOf(prefix) === undefined) {
      throw new UserError(
        `key prefix ${JSON.stringify(prefix)} has no hash tag: on a Redis Cluster use one such as --prefix '{${prefix.replace(/[{}]/g, '') || 'lsw'}}', so that the queue's and each sweep's keys share one slot`,
      );
    }
  }

  sweeps(): string {
    return `${this.prefix}:sweeps`;
  }
  sweep(sweepId: string): string {
    checkId(SWEEP_ID, sweepId, 'sweep id');
    return `${this.prefix}:sweep:${sweepId}`;
  }
  /** hash trialId -> trial config JSON */
  trials(sweepId: string): string {
    return `${this.sweep(sweepId)}:trials`;
  }
  /** hash trialId -> result JSON */
  results(sweepId: string): string {
    return `${this.sweep(sweepId)}:results`;
  }
  /** sorted set trialId -> metric, for the leaderboard */
  ranking(sweepId: string): string {
    return `${this.sweep(sweepId)}:ranking`;
  }
  /** hash trialId -> failure JSON */
  failures(sweepId: string): string {
    return `${this.sweep(sweepId)}:failures`;
  }
  /** hash trialId -> who is training it since when */
  active(sweepId: string): string {
    return `${this.sweep(sweepId)}:active`;
  }
  /** set of trialIds whose jobs `cancel` removed before they ran */
  cancelled(sweepId: string): string {
    return `${this.sweep(sweepId)}:cancelled`;
  }
  /** present (with the time) while the sweep is cancelled; workers skip its trials */
  cancelFlag(sweepId: string): string {
    return `${this.sweep(sweepId)}:cancel-requested`;
  }
  /**
   * hash trialId -> how many deliveries of the trial have started: the fencing token of the
   * current one. Only the holder of the latest delivery may write the trial's result.
   */
  deliveries(sweepId: string): string {
    return `${this.sweep(sweepId)}:deliveries`;
  }
  /**
   * hash trialId -> a cross-validated trial's fold and refit curves (CvHistories JSON): written
   * with its result, kept apart so that rankings and suggestions never parse them (k + 1 curves,
   * up to ~160 KB for 5 folds of 150 epochs)
   */
  cvCurves(sweepId: string): string {
    return `${this.sweep(sweepId)}:cv-curves`;
  }
  /** hash trialId -> per-epoch history of a trial still training (for live curves) */
  live(sweepId: string): string {
    return `${this.sweep(sweepId)}:live`;
  }
  /** hash `<trialId>.json` / `<trialId>.bin` -> trained model (model.json content, weights) */
  models(sweepId: string): string {
    return `${this.sweep(sweepId)}:models`;
  }
  /**
   * hash of the sweep's baseline (one reference job per sweep, apart from the trials):
   * `deliveries` (fencing token), `active`, `result`, `failure`, `cancelled`
   */
  baseline(sweepId: string): string {
    return `${this.sweep(sweepId)}:baseline`;
  }
  /** sorted set trialId -> metric of the trials that reached an ASHA rung (epoch) */
  rung(sweepId: string, epoch: number): string {
    if (!Number.isInteger(epoch) || epoch < 1) throw new UserError(`not an epoch: ${epoch}`);
    return `${this.sweep(sweepId)}:rung:${epoch}`;
  }
  /** set of trialIds stopped early by ASHA (their results are kept) */
  pruned(sweepId: string): string {
    return `${this.sweep(sweepId)}:pruned`;
  }
  /** lock held while suggesting new trials of a tpe sweep */
  /** held by the producer adding the sweep's jobs (enqueue, resume): one at a time, so counts are exact */
  enqueueLock(sweepId: string): string {
    return `${this.sweep(sweepId)}:enqueue-lock`;
  }
  /** number of the sweep's trials stored without a job yet (an enqueue in progress, or one cut off) */
  unqueued(sweepId: string): string {
    return `${this.sweep(sweepId)}:unqueued`;
  }
  suggestLock(sweepId: string): string {
    return `${this.sweep(sweepId)}:suggest-lock`;
  }
  /** counter of suggestions made, seeding each one (so a restarted suggester repeats nothing) */
  suggestions(sweepId: string): string {
    return `${this.sweep(sweepId)}:suggestions`;
  }
  /** pub/sub channel: one message per trial event, for live views */
  events(): string {
    return `${this.prefix}:events`;
  }
  dataset(hash: string): string {
    checkId(DATASET_HASH, hash, 'dataset hash');
    return `${this.prefix}:dataset:${hash}`;
  }
}
