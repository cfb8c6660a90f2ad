import { z } from 'zod';

/** Output heads on top of the residual stack. `dense` is the recommended one. */
export const HEADS = ['dense', 'lstm'] as const;
export const HeadSchema = z.enum(HEADS);
export type Head = z.infer<typeof HeadSchema>;

const rate = z.number().min(0).lt(1);

export const LR_SCHEDULES = ['none', 'plateau', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];
export const AUGMENTATIONS = ['none', 'jitter', 'scaling', 'slice'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

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
  /**
   * Input patching: P consecutive time steps concatenated into one, (T, F) -> (ceil(T/P), P*F),
   * the end zero-padded to a multiple of P. Shortens backpropagation through time about P times.
   * 1 or absent: none.
   */
  patch: z
    .number({ message: 'patch must be a whole number of time steps (1 = no patching)' })
    .int({ message: 'patch must be a whole number of time steps (1 = no patching)' })
    .min(1, { message: 'patch must be at least 1 (1 = no patching)' })
    .max(4096)
    .optional(),
  /**
   * Learning rate per epoch (src/model/lr-schedule.ts): `plateau` halves it when the training loss
   * stops improving (Keras ReduceLROnPlateau), `cosine` decays it to 1/100 over `epochs`. Absent: none.
   */
  lrSchedule: z.enum(LR_SCHEDULES, { message: `lrSchedule must be one of ${LR_SCHEDULES.join(' | ')}` }).optional(),
  /**
   * Seeded train-time augmentation of every training batch (src/model/augment.ts): Gaussian
   * `jitter`, per-series `scaling`, window `slice`. Never on validation, test or predict. Absent: none.
   */
  augment: z.enum(AUGMENTATIONS, { message: `augment must be one of ${AUGMENTATIONS.join(' | ')}` }).optional(),
});
export type TrialConfig = z.infer<typeof TrialConfigSchema>;

/** What each option added after the first release means when it is absent from a config. */
export const ABSENT_OPTIONS = {
  residual: true,
  inputProjection: false,
  classWeight: 'none',
  clipNorm: 0,
  patch: 1,
  lrSchedule: 'none',
  augment: 'none',
} as const;
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
