import { z } from 'zod';
import { NormalizationSchema } from '../data/normalize.js';
import { DatasetHashSchema, SweepIdSchema } from '../definition/ids.js';
import type { SweepRecord } from '../store/records.js';

/**
 * The one baseline job of a sweep: a reference classifier (MiniRocket) fitted on the whole train
 * file. It shares the trial queue (any worker takes it) under a job name of its own.
 */
export const BASELINE_JOB = 'baseline';

/** The payload of a baseline job, validated again by the worker that reads it. */
export const BaselineJobSchema = z.strictObject({
  sweepId: SweepIdSchema,
  method: z.literal('minirocket'),
  datasetHash: DatasetHashSchema,
  /** the sweep's `dataset.normalize`, statistics from the train file only */
  normalize: NormalizationSchema,
  /** seeds the random parts of the method (the sweep's first seed) */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
});
export type BaselineJob = z.infer<typeof BaselineJobSchema>;

/** One per sweep, so enqueueing, resuming or two producers at once never add it twice. */
export function baselineJobId(sweepId: string): string {
  return `${sweepId}.${BASELINE_JOB}`;
}

/** The baseline job the stored sweep makes (what a worker checks a payload against). */
export function baselineJobFor(sweep: SweepRecord): BaselineJob {
  return {
    sweepId: sweep.sweepId,
    method: 'minirocket',
    datasetHash: sweep.datasetHash,
    normalize: sweep.spec.dataset.normalize,
    seed: sweep.spec.seeds[0] ?? 0,
  };
}

/** Progress the baseline job reports: which stage of the fit, how far (0..1). */
export const BaselineProgressSchema = z.object({
  baseline: z.literal('minirocket'),
  stage: z.enum(['transform', 'ridge']),
  fraction: z.number().min(0).max(1),
});
export type BaselineProgress = z.infer<typeof BaselineProgressSchema>;
