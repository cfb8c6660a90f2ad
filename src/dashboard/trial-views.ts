/* What the API says of one trial in training (/active) and of one trial's curves (/curves). */
import type { TrialConfig } from '../model/trial-config.js';
import { phaseText } from '../queue/trial-progress.js';
import type { ActiveTrial, CvHistories, EpochMetrics, LiveHistory, TrialPhase, TrialResult } from '../store/records.js';

export type TrialCurves = {
  trialId: string;
  status: 'completed' | 'training';
  config?: TrialConfig;
  /** a cross-validated trial's: the mean of its folds' curves */
  history: EpochMetrics[];
  /** in training: the phase `history` belongs to */
  phase?: TrialPhase;
  /** cross-validated: the folds, the epoch budget they chose, and (when kept) their curves and the refit's */
  cv?: { folds: number; epoch: number; foldHistories?: CvHistories['folds']; refitHistory?: CvHistories['refit'] };
};

export function completedCurves(result: TrialResult, cvHistories: CvHistories | undefined): TrialCurves {
  const { trialId, config, history, cv } = result;
  return {
    trialId,
    status: 'completed',
    config,
    history,
    ...(cv
      ? {
          cv: {
            folds: cv.folds,
            epoch: cv.epoch,
            ...(cvHistories ? { foldHistories: cvHistories.folds, refitHistory: cvHistories.refit } : {}),
          },
        }
      : {}),
  };
}

export function trainingCurves(trialId: string, config: TrialConfig | undefined, live: LiveHistory): TrialCurves {
  return { trialId, status: 'training', config, history: live.history, ...(live.phase ? { phase: live.phase } : {}) };
}

/**
 * A trial in training: who trains it since when, its config, the last epoch of its live history,
 * its phase and `progress` in words ("fold 3/5, epoch 40/150", "refit, epoch 4/5", "epoch 7/20").
 */
export function activeTrialView(
  trialId: string,
  active: ActiveTrial | undefined,
  config: TrialConfig | undefined,
  live: LiveHistory | undefined,
) {
  const history = live?.history ?? [];
  const epoch = history.at(-1)?.epoch ?? 0;
  return {
    trialId,
    ...active,
    config,
    epoch,
    last: history.at(-1),
    ...(live?.phase ? { phase: live.phase } : {}),
    ...(config ? { progress: phaseText({ epoch, epochs: config.epochs, ...(live?.phase ? { phase: live.phase } : {}) }) } : {}),
  };
}
