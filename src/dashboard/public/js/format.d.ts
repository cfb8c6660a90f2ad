/** Types of format.js, for the TypeScript tests. */
import type { MetricInfo } from '../../../definition/vocabulary.js';
import type { Config, MetaParameter } from './vocabulary.js';

export function esc(value: unknown): string;
export function isNum(v: unknown): v is number;
export function fmtMetric(v: unknown, digits?: number): string;
export function fmtNumber(v: unknown, precision?: number): string;
export function fmtParam(info: Pick<MetaParameter, 'kind'> | undefined, v: unknown): string;
export function fmtConfigValue(config: Config, info: MetaParameter): string;
export function configLabel(config: Config, params: MetaParameter[]): string;
export function fmtDuration(ms: unknown): string;
export function fmtAgo(iso: string, now?: number): string;
export function shortId(id: unknown): string;
export function goalArrow(metric: Pick<MetricInfo, 'goal'> | undefined): string;
export function metricTitle(info: Pick<MetricInfo, 'label' | 'goal'>): string;
export function fmtSpecValues(info: Pick<MetaParameter, 'kind'>, values: unknown): string;
export function compareValues(a: unknown, b: unknown): number;
export function plural(n: number, word: string): string;
