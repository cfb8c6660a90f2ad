import { z } from 'zod';
import { NormalizationSchema } from './normalize.js';

export const DatasetFormatSchema = z.enum(['ucr', 'long']);

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
  /** none | series | feature (training-split statistics only); see src/data/normalize.ts */
  normalize: NormalizationSchema.default('none'),
});

export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;
export type DatasetSpecInput = z.input<typeof DatasetSpecSchema>;
export type DatasetFormat = DatasetSpec['format'];
