/** Types of vocabulary.js, for the TypeScript tests; the shapes are /api/meta's (src/definition/vocabulary.ts). */
import type { MetricInfo } from '../../../definition/vocabulary.js';
import type { MetaParameter } from '../../api.js';

/** A parameter as /api/meta serves it: `absent` is what a stored config that leaves it out means. */
export type { MetaParameter };

export interface Meta {
  parameters: MetaParameter[];
  seed: MetaParameter;
  metrics: MetricInfo[];
}

export interface Vocabulary {
  parameters: MetaParameter[];
  metrics: MetricInfo[];
  param(name: string): MetaParameter;
  metric(name: string): MetricInfo;
}

export type Config = Record<string, unknown> | null | undefined;

export function parameterValue(config: Config, info: MetaParameter): unknown;
export function createVocabulary(meta: Meta): Vocabulary;
export function isCategorical(info: MetaParameter, values?: unknown[]): boolean;
export function distinctValues<T>(values: T[]): Exclude<T, null | undefined>[];
export function varyingParameters(vocab: Vocabulary, swept: string[] | undefined, configs: Config[]): MetaParameter[];
export function fixedParameters(
  vocab: Vocabulary,
  varying: MetaParameter[],
  configs: Config[],
  sweep?: { seeds?: number[]; parameters?: Record<string, unknown> },
): { param: MetaParameter; value: unknown }[];
export function shownMetrics(vocab: Vocabulary, first: string, rows: { metrics?: Record<string, unknown> }[]): MetricInfo[];
export function sweepMetric(vocab: Vocabulary, metric: { name: string; goal: 'maximize' | 'minimize' }): MetricInfo;
