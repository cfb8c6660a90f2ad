import { z } from 'zod';
import { DatasetSpecSchema } from '../data/dataset-spec.js';
import { TrialConfigSchema } from '../model/trial-config.js';
import { DEFAULT_SEARCH_SPACE } from './default-space.js';
import { SWEEP_NAME } from './ids.js';
import { LIST_ONLY, METRICS, SWEEPABLE, type SweepableName } from './vocabulary.js';

export { INTEGER_PARAMETERS, SWEEPABLE, type SweepableName } from './vocabulary.js';
const field = (name: SweepableName) => TrialConfigSchema.shape[name];

/** A range to sample from (random search only); bounds must be legal values themselves. */
function rangeOf(name: SweepableName) {
  const bound = field(name) as z.ZodNumber;
  return z
    .strictObject({ min: bound, max: bound, log: z.boolean().default(false) })
    .refine((r) => r.min <= r.max, { message: 'min must not exceed max' })
    .refine((r) => !r.log || r.min > 0, { message: 'a log range needs min > 0' });
}

function valuesOf(name: SweepableName) {
  const schema = field(name);
  const value = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  const list = z.array(value).min(1, { message: 'list at least one value' });
  return LIST_ONLY.has(name) ? list : z.union([list, rangeOf(name)]);
}

const ParametersSchema = z.strictObject(
  Object.fromEntries(SWEEPABLE.map((name) => [name, valuesOf(name).optional()])) as {
    [K in SweepableName]: z.ZodOptional<ReturnType<typeof valuesOf>>;
  },
);

export { METRICS, type MetricName } from './vocabulary.js';
export const MetricNameSchema = z.enum(METRICS);

export const MetricSchema = z.strictObject({
  name: MetricNameSchema,
  goal: z.enum(['maximize', 'minimize']),
});
export type Metric = z.infer<typeof MetricSchema>;

/**
 * The synthetic objectives a dry-run sweep can report instead of a made-up metric (defined in
 * src/search/objectives.ts; a unit test keeps the two lists equal). All are minimised.
 */
export const DRY_RUN_OBJECTIVES = ['branin', 'hartmann6', 'rosenbrock4', 'mixed10'] as const;
export type DryRunObjectiveName = (typeof DRY_RUN_OBJECTIVES)[number];

/**
 * `dryRun`: false (train), true (a metric derived from the trial id), or `{ objective }`: each
 * trial reports that test function at its configuration as valLoss (see src/search/objective-fit.ts
 * for how the swept parameters map onto the function's dimensions).
 */
export const DryRunSchema = z.union([
  z.boolean(),
  z.strictObject({
    objective: z.enum(DRY_RUN_OBJECTIVES, { message: `must be one of ${DRY_RUN_OBJECTIVES.join(' | ')}` }),
  }),
]);
export type DryRun = z.infer<typeof DryRunSchema>;

/** The synthetic objective of a dry-run sweep, or undefined (a real sweep, or `dryRun: true`). */
export function dryRunObjective(dryRun: DryRun): DryRunObjectiveName | undefined {
  return typeof dryRun === 'object' ? dryRun.objective : undefined;
}

/** The reference methods a sweep can be compared with (`baseline` in the spec). */
export const BASELINES = ['minirocket', 'none'] as const;
export type BaselineChoice = (typeof BASELINES)[number];

export const SweepSpecSchema = z
  .strictObject({
    name: z.string().min(1).max(80).regex(SWEEP_NAME, {
      message: 'use letters, digits, ".", "_" or "-" (it becomes part of the sweep id)',
    }),
    dataset: DatasetSpecSchema,
    /** grid: every combination; random: `count` samples; tpe: `count` trials suggested by TPE as results arrive. */
    method: z.enum(['grid', 'random', 'tpe']).default('grid'),
    /** Number of sampled configurations (random search only). */
    count: z.number().int().min(1).max(1_000_000).optional(),
    /** tpe: how many trials may be pending (queued or training) at once; about the number of workers. */
    parallelism: z.number().int().min(1).max(10_000).default(4),
    /** Stop unpromising trials early: asynchronous successive halving on the validation metric. */
    earlyTerminate: z
      .strictObject({
        type: z.literal('asha'),
        /** first rung, in epochs; later rungs at minEpochs * reductionFactor^k */
        minEpochs: z.number().int().min(1).default(1),
        /** η: at each rung only the top 1/η of the trials that reached it continue */
        reductionFactor: z.number().int().min(2).max(100).default(3),
      })
      .optional(),
    /** Seed of the random sampler; the same spec always yields the same trials. */
    samplerSeed: z.number().int().min(0).default(0),
    /** Absent: the default search space (DEFAULT_SEARCH_SPACE); `{}`: one trial of the defaults. */
    parameters: ParametersSchema.default(() => structuredClone(DEFAULT_SEARCH_SPACE) as unknown as z.output<typeof ParametersSchema>),
    metric: MetricSchema.default({ name: 'valAuc', goal: 'maximize' }),
    seeds: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1),
      )
      .min(1)
      .default([1]),
    /**
     * Transient failures (a crashed or killed trainer, a lost connection) are retried with
     * exponential backoff; deterministic ones (diverged loss, a model that cannot be built) never are.
     */
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(20).default(3),
        backoffMs: z.number().int().min(0).max(3_600_000).default(5_000),
      })
      .default({ attempts: 3, backoffMs: 5_000 }),
    /**
     * Workers skip training and record a synthetic result after a few ms: for exercising the queue
     * at scale; `{ objective: hartmann6 }` makes that result a known test function (DryRunSchema).
     */
    dryRun: DryRunSchema.default(false),
    /**
     * A reference classifier trained once per sweep, on the whole train file, as one extra job:
     * `minirocket` (random convolutional kernels + a ridge classifier, seconds on a CPU) or `none`.
     * Default: `minirocket`, but `none` for a dry-run sweep, which must not pay for training
     * (an explicit `minirocket` there trains the baseline for real). See `baselineOf`.
     */
    baseline: z.enum(BASELINES).optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.method !== 'grid' && spec.count === undefined) {
      ctx.addIssue({ code: 'custom', path: ['count'], message: `${spec.method} search needs a trial count (budget)` });
    }
    if (spec.method === 'tpe' && spec.seeds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['seeds'],
        message: 'tpe suggests one trial per configuration: give one seed (vary samplerSeed to repeat a search)',
      });
    }
    const objective = dryRunObjective(spec.dryRun);
    if (objective && (spec.metric.name !== 'valLoss' || spec.metric.goal !== 'minimize')) {
      ctx.addIssue({
        code: 'custom',
        path: ['metric'],
        message: `a dry run on ${objective} reports the function's value as valLoss, to be minimised: set metric: { name: valLoss, goal: minimize }`,
      });
    }
    if (spec.earlyTerminate && !spec.metric.name.startsWith('val')) {
      ctx.addIssue({
        code: 'custom',
        path: ['earlyTerminate'],
        message: 'early termination compares a validation metric (valAuc, valAcc, valLoss), never a test metric',
      });
    }
    if (spec.method === 'grid') {
      if (spec.count !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['count'], message: 'count applies to random and tpe search only' });
      }
      for (const [name, values] of Object.entries(spec.parameters)) {
        if (values !== undefined && !Array.isArray(values)) {
          ctx.addIssue({
            code: 'custom',
            path: ['parameters', name],
            message: 'grid search needs a list of values; ranges {min, max} are for random search',
          });
        }
      }
    }
  });

export type SweepSpec = z.infer<typeof SweepSpecSchema>;
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;
export type ParameterValues = NonNullable<SweepSpec['parameters'][SweepableName]>;

/** The sweep's baseline: as the spec says, else `minirocket`, or `none` for a dry-run sweep. */
export function baselineOf(spec: Pick<SweepSpec, 'baseline' | 'dryRun'>): BaselineChoice {
  return spec.baseline ?? (spec.dryRun ? 'none' : 'minirocket');
}
