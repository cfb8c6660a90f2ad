import { z } from 'zod';
import { NormalizationSchema } from '../data/normalize.js';
import { TrialConfigSchema } from '../model/trial-config.js';
import { DatasetHashSchema, SweepIdSchema, TrialIdSchema } from '../definition/ids.js';
import { DryRunSchema, MetricSchema } from '../definition/sweep-spec.js';

/** One queue serves every sweep; workers take trials from any of them. */
export const TRIAL_QUEUE = 'trials';

/** The payload of one trial job, validated again by the worker that reads it. */
export const TrialJobSchema = z.strictObject({
  sweepId: SweepIdSchema,
  trialId: TrialIdSchema,
  datasetHash: DatasetHashSchema,
  validationSplit: z.number().gt(0).lt(1),
  splitSeed: z.number().int().min(0),
  normalize: NormalizationSchema.default('none'),
  /** k-fold cross-validation of the train file (absent: one holdout validation split) */
  cvFolds: z.number().int().min(2).max(20).optional(),
  metric: MetricSchema,
  config: TrialConfigSchema,
  /** true, or the synthetic objective the trial reports (the sweep's `dryRun`) */
  dryRun: DryRunSchema.default(false),
  /** ASHA settings of the sweep, when it terminates trials early */
  earlyTerminate: z.strictObject({ minEpochs: z.number().int().min(1), reductionFactor: z.number().int().min(2) }).optional(),
});
export type TrialJob = z.infer<typeof TrialJobSchema>;

/** Derived from sweep and trial, so enqueueing the same sweep twice adds no job twice. */
export function trialJobId(sweepId: string, trialId: string): string {
  return `${sweepId}.${trialId}`;
}

/** Per-epoch progress reported on the job while a trial trains. */
export const TrialProgressSchema = z.object({
  epoch: z.number().int(),
  epochs: z.number().int(),
  loss: z.number(),
  valLoss: z.number(),
  valAuc: z.number(),
  /** cross-validation: which fold is training (the refit reports `refit: true`) */
  fold: z.number().int().optional(),
  folds: z.number().int().optional(),
  refit: z.boolean().optional(),
});
export type TrialProgress = z.infer<typeof TrialProgressSchema>;
