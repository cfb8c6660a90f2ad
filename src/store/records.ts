import { z } from 'zod';
import { FeatureStatsSchema, NormalizationSchema } from '../data/normalize.js';
import { TrialConfigSchema } from '../model/trial-config.js';
import { SweepSpecSchema } from '../definition/sweep-spec.js';

/**
 * A metric may be undefined (AUC of a single-class split is NaN); JSON writes NaN as null,
 * so null reads back as NaN.
 */
const metricValue = z.preprocess((v) => (v === null ? Number.NaN : v), z.union([z.number(), z.nan()]));

export const EpochMetricsSchema = z.object({
  epoch: z.number().int(),
  loss: metricValue,
  valLoss: metricValue,
  valAcc: metricValue,
  valAuc: metricValue,
  /** absent in results written before it was added */
  valBalancedAcc: metricValue.optional(),
  durationMs: z.number(),
});

/** Metrics of the restored best epoch; test metrics only when the dataset has a test split. */
export type EpochMetrics = z.infer<typeof EpochMetricsSchema>;

export const FinalMetricsSchema = z.object({
  valLoss: metricValue,
  valAcc: metricValue,
  valAuc: metricValue,
  valBalancedAcc: metricValue.optional(),
  testLoss: metricValue.optional(),
  testAcc: metricValue.optional(),
  testAuc: metricValue.optional(),
  testBalancedAcc: metricValue.optional(),
});

const ValMetricsSchema = z.object({ valLoss: metricValue, valAcc: metricValue, valAuc: metricValue, valBalancedAcc: metricValue });

/** Cross-validation of one trial: the epoch budget chosen on the folds, each fold's metrics there, their spread. */
export const CvSummarySchema = z.object({
  folds: z.number().int().min(2),
  /** the epoch budget (1-based): the best fold-mean of the sweep's validation metric (ties: the lower mean validation loss) */
  epoch: z.number().int().min(1),
  perFold: z.array(ValMetricsSchema),
  /** sample standard deviation over the folds */
  std: ValMetricsSchema,
});
export type CvSummary = z.infer<typeof CvSummarySchema>;

/**
 * Protocol cv: the curves behind the summary (k * epochs + budget epochs: a few KB, ~160 KB for 5
 * folds of 150 epochs). The store keeps them in their own hash (Keys.cvCurves), never in the
 * stored result, so that rankings, leaderboard pages and suggestions never parse them.
 */
export const CvHistoriesSchema = z.object({
  /** each fold's per-epoch history (validated on that fold); `history` is their mean */
  folds: z.array(z.array(EpochMetricsSchema)),
  /** the refit on the whole train file; its "validation" figures are measured on the train file itself */
  refit: z.array(EpochMetricsSchema),
});
export type CvHistories = z.infer<typeof CvHistoriesSchema>;

/** Which part of a trial an epoch belongs to (progress, live curves and the active-trials views say it). */
export const TrialPhaseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('holdout') }),
  z.object({ kind: z.literal('fold'), fold: z.number().int().min(1), folds: z.number().int().min(2) }),
  /** `epochs`: the budget the folds chose; `folds`: how many folds came before */
  z.object({ kind: z.literal('refit'), epochs: z.number().int().min(1), folds: z.number().int().min(2) }),
]);
export type TrialPhase = z.infer<typeof TrialPhaseSchema>;

/** What a worker writes after each epoch of a trial in training: the phase in progress and its history so far. */
export const LiveHistorySchema = z.object({ phase: TrialPhaseSchema.optional(), history: z.array(EpochMetricsSchema) });
export type LiveHistory = z.infer<typeof LiveHistorySchema>;

/** The test split's labels and the model's class probabilities, base64 (for seed ensembles). */
export const TestPredictionsSchema = z.object({
  classes: z.number().int().min(2),
  /** Uint8Array of labels */
  labels: z.string(),
  /** Float32Array: (n) sigmoid outputs for 2 classes, (n, k) softmax rows for more */
  probabilities: z.string(),
});
export type TestPredictions = z.infer<typeof TestPredictionsSchema>;

/** Where a trained model was kept, if it was. */
const StoredModelSchema = z.union([z.object({ storedIn: z.literal('redis') }), z.object({ storedIn: z.literal('dir'), path: z.string() })]);

export const TrialResultSchema = z.object({
  sweepId: z.string(),
  trialId: z.string(),
  config: TrialConfigSchema,
  metrics: FinalMetricsSchema,
  history: z.array(EpochMetricsSchema),
  bestEpoch: z.number().int(),
  epochsRun: z.number().int(),
  stoppedEarly: z.boolean(),
  params: z.number().int(),
  durationMs: z.number(),
  backend: z.string(),
  /** training engine (results written before engines existed have none) */
  engine: z.enum(['fast', 'layers', 'gpu']).optional(),
  worker: z.string(),
  attempts: z.number().int().min(1),
  finishedAt: z.string(),
  /** set when ASHA stopped the trial early: the epoch it reached */
  pruned: z.object({ epoch: z.number().int() }).optional(),
  /** where the trained model (best weights) was kept, if it was */
  model: StoredModelSchema.optional(),
  /** how inputs were normalised (with `feature` statistics): new series need the same */
  normalization: z.object({ mode: NormalizationSchema, stats: FeatureStatsSchema.optional() }).optional(),
  /** input shape the model expects */
  inputShape: z.object({ timesteps: z.number().int(), features: z.number().int() }).optional(),
  /** protocol cv: validation metrics are fold means at `cv.epoch`; test metrics come from the refit */
  cv: CvSummarySchema.optional(),
  /**
   * protocol cv: each fold's curve and the refit's, as the worker hands the result to the store;
   * saveResult keeps them apart (read them with getCvHistories), so stored results have none
   */
  cvHistories: CvHistoriesSchema.optional(),
  testPredictions: TestPredictionsSchema.optional(),
});
export type TrialResult = z.infer<typeof TrialResultSchema>;

/**
 * The sweep's reference result (`baseline` in the spec): one per sweep, kept apart from the
 * trials and never ranked among them. Metrics carry the trials' names: `val*` are leave-one-out
 * figures on the train file, `test*` come from the test file.
 */
export const BaselineResultSchema = z.object({
  kind: z.literal('baseline'),
  method: z.literal('minirocket'),
  sweepId: z.string(),
  metrics: FinalMetricsSchema,
  /** seconds the fit took (transform + ridge + leave-one-out) */
  seconds: z.number(),
  /** the whole job, data loading and test predictions included */
  durationMs: z.number(),
  /** features the transform makes */
  features: z.number().int(),
  /** the ridge penalty chosen */
  alpha: z.number(),
  classes: z.number().int().min(2),
  worker: z.string(),
  attempts: z.number().int().min(1),
  finishedAt: z.string(),
  model: StoredModelSchema.optional(),
  normalization: z.object({ mode: NormalizationSchema, stats: FeatureStatsSchema.optional() }),
  inputShape: z.object({ timesteps: z.number().int(), features: z.number().int() }),
  testPredictions: TestPredictionsSchema.optional(),
});
export type BaselineResult = z.infer<typeof BaselineResultSchema>;

export const BaselineFailureSchema = z.object({
  reason: z.string(),
  attempts: z.number().int(),
  worker: z.string().optional(),
  failedAt: z.string(),
});
export type BaselineFailure = z.infer<typeof BaselineFailureSchema>;

/** Where the sweep's baseline stands. `none`: the sweep has none (`baseline: none`). */
export type BaselineState =
  | { state: 'none' }
  | { state: 'queued' }
  | { state: 'running'; worker: string; startedAt: string; attempt: number }
  | { state: 'done'; result: BaselineResult }
  | { state: 'failed'; failure: BaselineFailure }
  | { state: 'cancelled' };

export const TrialFailureSchema = z.object({
  sweepId: z.string(),
  trialId: z.string(),
  config: TrialConfigSchema,
  reason: z.string(),
  attempts: z.number().int(),
  worker: z.string().optional(),
  failedAt: z.string(),
});
export type TrialFailure = z.infer<typeof TrialFailureSchema>;

/** Published on the events channel whenever a trial changes. */
export const TrialEventSchema = z.object({
  sweepId: z.string(),
  trialId: z.string(),
  type: z.enum(['started', 'epoch', 'completed', 'failed', 'cancelled']),
});
export type TrialEvent = z.infer<typeof TrialEventSchema>;

export const ActiveTrialSchema = z.object({
  worker: z.string(),
  startedAt: z.string(),
  attempt: z.number().int(),
});
export type ActiveTrial = z.infer<typeof ActiveTrialSchema>;

/** What `enqueue` records about a sweep. */
export const SweepRecordSchema = z.object({
  sweepId: z.string(),
  spec: SweepSpecSchema,
  datasetHash: z.string(),
  shape: z.object({ timesteps: z.number().int(), features: z.number().int(), trainSamples: z.number().int() }),
  trials: z.number().int(),
  createdAt: z.string(),
});
export type SweepRecord = z.infer<typeof SweepRecordSchema>;

export const StatusCountsSchema = z.object({
  total: z.number().int(),
  waiting: z.number().int(),
  active: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  /** trials removed by `cancel` before they ran */
  cancelled: z.number().int(),
  /** trials stopped early by ASHA (they have results, with the epoch they reached) */
  pruned: z.number().int(),
  /**
   * trials stored without a job: an enqueue still adding them, or one cut off (Redis out of
   * memory, a killed producer) that `enqueue --resume` completes; present only when above 0
   */
  notQueued: z.number().int().optional(),
});
export type StatusCounts = z.infer<typeof StatusCountsSchema>;

/** Trials that will not change any more: completed, pruned, failed or cancelled. */
export function endedCount(c: StatusCounts): number {
  return c.completed + c.pruned + c.failed + c.cancelled;
}

export interface LeaderboardRow {
  rank: number;
  trialId: string;
  config: TrialResult['config'];
  metrics: TrialResult['metrics'];
  epochs: number;
  durationMs: number;
  backend: string;
  engine?: TrialResult['engine'];
  /** protocol cv: folds, epoch budget and the spread of the validation metrics over the folds */
  cv?: TrialResult['cv'];
  /** only when asked for (seed ensembles) */
  testPredictions?: TrialResult['testPredictions'];
  worker: string;
  attempts: number;
  /** epoch at which ASHA stopped it, if it did */
  prunedAt?: number;
  /** whether its trained model was kept (not a dry run, nor --artifacts none), so it can be exported; SweepStore.leaderboard sets it */
  hasModel?: boolean;
}
