import { ABSENT_OPTIONS, TRIAL_DEFAULTS } from '../model/trial-config.js';

/**
 * The one vocabulary of lstm-sweep: every sweepable parameter and every metric, with the label,
 * default and direction each view shows. The spec schema, the samplers, the CLI table, the CSV
 * and the dashboard (through /api/meta) are all built from these two lists, so a new parameter
 * or metric is added here once and appears everywhere.
 */

/** How a parameter's values are drawn and shown. */
export type ParameterKind = 'int' | 'float' | 'categorical' | 'boolean';

export interface ParameterInfo {
  name: string;
  /** full label, for axes and titles */
  label: string;
  /** column header in tables */
  short: string;
  kind: ParameterKind;
  /** what a trial gets when the spec does not sweep it (undefined for the seed) */
  default: string | number | boolean | undefined;
  /**
   * Options added after the first release: what a stored config that leaves them out means.
   * Not always the default: an unswept clipNorm is 1, but a config without one was trained with
   * no clipping (0).
   */
  absent?: string | number | boolean;
  /** shown on a log axis (ranges of it are usually log ranges) */
  log?: boolean;
  /** only a list of values, never a {min, max} range */
  listOnly?: boolean;
  description: string;
}

const defaults: Record<string, string | number | boolean> = { ...ABSENT_OPTIONS, ...TRIAL_DEFAULTS };
const absent: Partial<Record<string, string | number | boolean>> = ABSENT_OPTIONS;

function param<N extends string>(
  name: N,
  label: string,
  short: string,
  kind: ParameterKind,
  description: string,
  extra: Pick<ParameterInfo, 'log' | 'listOnly'> = {},
): ParameterInfo & { name: N } {
  return {
    name,
    label,
    short,
    kind,
    default: defaults[name],
    ...(absent[name] !== undefined ? { absent: absent[name] } : {}),
    description,
    ...extra,
    ...(kind === 'categorical' || kind === 'boolean' ? { listOnly: true } : {}),
  };
}

/** The sweepable hyperparameters, in the order grids expand them and tables show them. */
export const PARAMETERS = [
  param('depth', 'depth', 'depth', 'int', 'stacked LSTM layers'),
  param('width', 'width', 'width', 'int', 'units per LSTM layer'),
  param('dropout', 'dropout', 'drop', 'float', 'dropout on each layer input, [0, 1)'),
  param('recurrentDropout', 'recurrent dropout', 'rec.drop', 'float', 'dropout on the recurrent state, [0, 1)'),
  param('learningRate', 'learning rate', 'lr', 'float', 'Adam learning rate', { log: true }),
  param('batchSize', 'batch size', 'batch', 'int', 'mini-batch size'),
  param('epochs', 'epochs', 'epochs', 'int', 'epoch budget (cross-validation picks the refit budget within it)'),
  param('patience', 'patience', 'patience', 'int', 'holdout: early stopping on val loss, best weights restored; 0 = off'),
  param('head', 'head', 'head', 'categorical', 'dense (recommended) | lstm (comparison)'),
  param('residual', 'residual', 'residual', 'boolean', 'skip connections x = x + lstm(x); false: plain stacked LSTM'),
  param('inputProjection', 'input projection', 'proj', 'boolean', 'TimeDistributed(Dense(width)) first when features != width'),
  param('classWeight', 'class weight', 'cls.w', 'categorical', 'none | balanced: weigh classes by n / (k * n_class)'),
  param('clipNorm', 'clip norm', 'clip', 'float', 'clip the global gradient norm before each Adam step; 0 = off'),
  param('patch', 'input patch', 'patch', 'int', 'P consecutive steps as one: (T, F) -> (ceil(T/P), P*F), zero-padded; 1 = off'),
  param(
    'lrSchedule',
    'LR schedule',
    'lr.sch',
    'categorical',
    'none | plateau (halve on a training-loss plateau) | cosine (decay over epochs)',
  ),
  param('augment', 'augmentation', 'aug', 'categorical', 'none | jitter | scaling | slice: seeded, training batches only'),
] as const satisfies readonly ParameterInfo[];

export type SweepableName = (typeof PARAMETERS)[number]['name'];

/** The seed is no hyperparameter but varies per trial; views show it beside the parameters. */
export const SEED: ParameterInfo = {
  name: 'seed',
  label: 'seed',
  short: 'seed',
  kind: 'int',
  default: undefined,
  description: 'seeds weights, shuffling and dropout masks',
};

export const SWEEPABLE: readonly SweepableName[] = PARAMETERS.map((p) => p.name);

/** Parameters whose values must stay integers, also when sampled from a range. */
export const INTEGER_PARAMETERS: ReadonlySet<SweepableName> = new Set(PARAMETERS.filter((p) => p.kind === 'int').map((p) => p.name));

/** Parameters that only take a list of values, never a range. */
export const LIST_ONLY: ReadonlySet<SweepableName> = new Set(PARAMETERS.filter((p) => p.listOnly).map((p) => p.name));

export function parameterInfo(name: string): ParameterInfo | undefined {
  return name === 'seed' ? SEED : (PARAMETERS as readonly ParameterInfo[]).find((p) => p.name === name);
}

/** The value a stored config means for a parameter: an option it leaves out holds what its absence means. */
export function parameterValue(config: Record<string, unknown>, name: string): unknown {
  return config[name] ?? parameterInfo(name)?.absent;
}

export interface MetricInfo {
  name: string;
  label: string;
  short: string;
  /** the better direction */
  goal: 'maximize' | 'minimize';
  split: 'val' | 'test';
}

function metric<N extends string>(name: N, label: string, short: string, goal: MetricInfo['goal']): MetricInfo & { name: N } {
  return { name, label, short, goal, split: name.startsWith('val') ? 'val' : 'test' };
}

/** Every metric a result records and a sweep may rank by. */
export const METRIC_INFO = [
  metric('valAuc', 'validation ROC AUC', 'valAuc', 'maximize'),
  metric('valAcc', 'validation accuracy', 'valAcc', 'maximize'),
  metric('valBalancedAcc', 'validation balanced accuracy', 'valBalAcc', 'maximize'),
  metric('valLoss', 'validation loss', 'valLoss', 'minimize'),
  metric('testAuc', 'test ROC AUC', 'testAuc', 'maximize'),
  metric('testAcc', 'test accuracy', 'testAcc', 'maximize'),
  metric('testBalancedAcc', 'test balanced accuracy', 'testBalAcc', 'maximize'),
  metric('testLoss', 'test loss', 'testLoss', 'minimize'),
] as const satisfies readonly MetricInfo[];

export type MetricName = (typeof METRIC_INFO)[number]['name'];
export const METRICS = METRIC_INFO.map((m) => m.name) as [MetricName, ...MetricName[]];

export function metricInfo(name: string): MetricInfo | undefined {
  return (METRIC_INFO as readonly MetricInfo[]).find((m) => m.name === name);
}

/** What /api/meta serves: the vocabulary as plain JSON for the dashboard. */
export function vocabularyJson(): { parameters: ParameterInfo[]; seed: ParameterInfo; metrics: MetricInfo[] } {
  return { parameters: [...PARAMETERS], seed: SEED, metrics: [...METRIC_INFO] };
}
