import { z } from 'zod';

/** Output heads on top of the residual stack. `dense` is the recommended one. */
export const HEADS = ['dense', 'lstm'] as const;
export const HeadSchema = z.enum(HEADS);
export type Head = z.infer<typeof HeadSchema>;

const rate = z.number().min(0).lt(1);

/** One fully specified variant: what a worker trains. */
export const TrialConfigSchema = z.strictObject({
  depth: z.number().int().min(1).max(64),
  width: z.number().int().min(1).max(4096),
  dropout: rate,
  recurrentDropout: rate,
  learningRate: z.number().gt(0).max(10),
  batchSize: z.number().int().min(1).max(65536),
  epochs: z.number().int().min(1).max(100000),
  /** Early stopping patience on validation loss, in epochs; 0 disables early stopping. */
  patience: z.number().int().min(0).max(100000),
  head: HeadSchema,
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  /** `x = x + lstm(x)` skip connections; false gives a plain stacked LSTM to compare with. Absent: true. */
  residual: z.boolean().optional(),
  /**
   * A time-distributed Dense(width) before the stack when features != width, so the skip
   * connection applies from layer 0 too (the recipe's stated limitation). Absent: false.
   */
  inputProjection: z.boolean().optional(),
  /**
   * Loss weight per class: `balanced` weighs each class by n / (k * n_class) of the training
   * data (Keras' class_weight, sklearn's 'balanced'). Absent: none (every sample weighs 1).
   */
  classWeight: z.enum(['none', 'balanced']).optional(),
  /**
   * Clip the global gradient norm to this value before each Adam step (Keras' global_clipnorm);
   * keeps LSTMs on long series from the loss spikes that otherwise undo training. 0 or absent: none.
   */
  clipNorm: z.number().min(0).max(1e6).optional(),
});
export type TrialConfig = z.infer<typeof TrialConfigSchema>;

/** What each option added after the first release means when it is absent from a config. */
export const ABSENT_OPTIONS = { residual: true, inputProjection: false, classWeight: 'none', clipNorm: 0 } as const;
type OptionName = keyof typeof ABSENT_OPTIONS;

/**
 * Options added after the first release are left out when they hold what their absence means,
 * so a config's id (a hash of it) is the same as before they existed.
 */
export function normalizeTrialConfig(config: TrialConfig): TrialConfig {
  const out: Record<string, unknown> = { ...config };
  for (const name of Object.keys(ABSENT_OPTIONS) as OptionName[]) {
    if (out[name] === undefined || out[name] === ABSENT_OPTIONS[name]) delete out[name];
  }
  return out as TrialConfig;
}

/** The config with every absent option spelled out (the inverse of normalizeTrialConfig, for comparing values). */
export function withAbsentOptions(config: TrialConfig): TrialConfig {
  return { ...ABSENT_OPTIONS, ...config } as TrialConfig;
}

/** Defaults for hyperparameters a spec does not sweep. */
export const TRIAL_DEFAULTS: Omit<TrialConfig, 'seed'> = {
  depth: 2,
  width: 32,
  dropout: 0,
  recurrentDropout: 0,
  learningRate: 0.002,
  batchSize: 16,
  // Small UCR train sets need many epochs; cross-validation picks the budget, holdout stops early.
  epochs: 200,
  patience: 20,
  head: 'dense',
  clipNorm: 1,
};
