/*
 * Where a trial in training stands, in words and as a fraction of its work, from its phase (the
 * live history's, or the job progress's): the CLI's progress line and the dashboard's
 * active-trials table say the same thing.
 */
import type { TrialPhase } from '../store/records.js';
import type { TrialProgress } from './trial-job.js';

export interface TrialStanding {
  /** holdout when absent (results and workers older than phases) */
  phase?: TrialPhase;
  /** epochs done in the phase */
  epoch: number;
  /** the trial's epochs (a fold trains them all); the refit's come from its phase */
  epochs: number;
}

/** The phase of a job's progress report (fold/folds, refit: true). */
export function phaseOfProgress(p: TrialProgress): TrialPhase {
  if (p.refit) return { kind: 'refit', epochs: p.epochs, folds: p.folds ?? 2 };
  if (p.fold !== undefined && p.folds !== undefined) return { kind: 'fold', fold: p.fold, folds: p.folds };
  return { kind: 'holdout' };
}

/** "fold 3/5, epoch 40/150", "refit, epoch 4/5" or "epoch 7/20". */
export function phaseText({ phase, epoch, epochs }: TrialStanding): string {
  if (phase?.kind === 'fold') return `fold ${phase.fold}/${phase.folds}, epoch ${epoch}/${epochs}`;
  if (phase?.kind === 'refit') return `refit, epoch ${epoch}/${phase.epochs}`;
  return `epoch ${epoch}/${epochs}`;
}

/**
 * The share of the trial's work done, in [0, 1]. A cross-validated trial is k folds plus the
 * refit, each counted as one part (the refit's budget is not known before the folds end, and is
 * at most a fold's length).
 */
export function workDone({ phase, epoch, epochs }: TrialStanding): number {
  const of = (done: number, total: number) => (total > 0 ? Math.min(1, Math.max(0, done / total)) : 0);
  if (phase?.kind === 'fold') return of(phase.fold - 1 + of(epoch, epochs), phase.folds + 1);
  if (phase?.kind === 'refit') return of(phase.folds + of(epoch, phase.epochs), phase.folds + 1);
  return of(epoch, epochs);
}
