import { z } from 'zod';
import { FORMAT_NAMES } from './format-names.js';
import { NormalizationSchema } from './normalize.js';

export const DatasetFormatSchema = z.enum(FORMAT_NAMES);

/** Where a sweep's data comes from; relative paths resolve against the spec file's folder. */
export const DatasetSpecSchema = z.strictObject({
  train: z.string().min(1, { message: 'give the path of the training CSV' }),
  test: z.string().min(1, { message: 'give the path of the test CSV, or leave test out' }).optional(),
  format: DatasetFormatSchema.default('ucr'),
  validationSplit: z
    .number()
    .gt(0, { message: 'validationSplit must be above 0' })
    .lte(0.9, { message: 'validationSplit must be at most 0.9' })
    .default(0.2),
  splitSeed: z.number().int().min(0).default(0),
  /**
   * none | series | feature (training-split statistics only); see src/data/normalize.ts.
   * Default feature: raw sensor values and counts train badly unscaled, per-series scaling loses
   * the amplitude that separates classes of multivariate sets (BasicMotions), and on the UCR sets
   * that are z-normalised per series already it is almost the identity.
   */
  normalize: NormalizationSchema.default('feature'),
  /**
   * How trials are validated: `holdout` (one stratified validationSplit of the train file),
   * `cv` (stratified k-fold cross-validation of the train file, epoch budget chosen on the folds,
   * then a refit on the whole train file for the test figures), or `auto`: cv when the train
   * file has 2 * folds to CV_MAX_TRAIN series, else holdout. Resolved when the sweep is enqueued.
   */
  protocol: z.enum(['auto', 'holdout', 'cv']).default('auto'),
  /** k of k-fold cross-validation */
  folds: z.number().int().min(2).max(20).default(5),
});

/** `protocol: auto` cross-validates train files up to this many series. */
export const CV_MAX_TRAIN = 300;

/**
 * The protocol `auto` stands for, given the train file's size, its smallest class (every fold
 * should validate on every class) and whether ASHA needs a holdout.
 */
export function resolveProtocol(
  protocol: DatasetSpec['protocol'],
  trainSamples: number,
  asha: boolean,
  folds: number,
  smallestClass = Number.POSITIVE_INFINITY,
): 'holdout' | 'cv' {
  if (protocol !== 'auto') return protocol;
  return trainSamples <= CV_MAX_TRAIN && trainSamples >= 2 * folds && smallestClass >= folds && !asha ? 'cv' : 'holdout';
}

export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;
export type DatasetSpecInput = z.input<typeof DatasetSpecSchema>;
export type { DatasetFormat } from './format-names.js';
