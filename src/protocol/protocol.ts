import type { FeatureStats, Normalization } from '../data/normalize.js';
import type { Dataset } from '../data/types.js';
import type { EngineChoice, EpochMetrics, TrainResult } from '../model/index.js';
import type { TrialConfig } from '../model/trial-config.js';
import type { Metric } from '../definition/sweep-spec.js';
import type { CvHistories, CvSummary, TrialPhase } from '../store/records.js';

/** Which part of a trial an epoch belongs to (progress and live curves say it). */
export type Phase = TrialPhase;

export interface ProtocolOptions {
  engine?: EngineChoice;
  signal?: AbortSignal;
  /** return the model that produced the test figures (the caller frees it) */
  keepModel?: boolean;
  /**
   * Cross-validation trains its folds at once instead of one after another (same histories and
   * result). Default: when the engine packs the trainings of one process (trainsConcurrently).
   * Not with the layers engine, which trains under the process-wide seeded Math.random.
   */
  concurrentFolds?: boolean;
  /** after every epoch of every phase; 'stop' ends the trial there (ASHA, holdout only) */
  onEpoch?: (e: EpochMetrics, phase: Phase) => void | 'stop' | Promise<void | 'stop'>;
}

/** How the train file is validated, from the job. */
export interface ProtocolSettings {
  validationSplit: number;
  splitSeed: number;
  normalize: Normalization;
  /** k-fold cross-validation; absent: holdout */
  cvFolds?: number;
  /** the sweep's metric: cross-validation picks the epoch budget on it (default: valLoss) */
  metric?: Metric;
}

export interface ProtocolResult {
  trained: TrainResult;
  normalization: { mode: Normalization; stats?: FeatureStats };
  inputShape: { timesteps: number; features: number };
  /** cross-validation only */
  cv?: CvSummary;
  /** cross-validation only: each fold's curve and the refit's */
  cvHistories?: CvHistories;
}

export type Protocol = (
  config: TrialConfig,
  dataset: Dataset,
  settings: ProtocolSettings,
  opts: ProtocolOptions,
) => Promise<ProtocolResult>;
