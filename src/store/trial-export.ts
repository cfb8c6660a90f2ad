/**
 * What an exported model folder says about itself (`trial.json`): one builder for every place that
 * exports a model — `best --export`, `best --baseline --export` and the dashboard's model download —
 * so the file is the same wherever it comes from.
 */
import type { MiniRocketModel } from '../model/minirocket/index.js';
import { formatZodIssues } from '../util/errors.js';
import type { ArtifactStore } from './artifact-store.js';
import type { BaselineResult, SweepRecord, TrialResult } from './records.js';
import type { SweepStore } from './sweep-store.js';

export const TRIAL_SUMMARY_FILE = 'trial.json';

/** A trial's config, metrics, training history and what predicting with its model needs. */
export function trialSummary(sweep: SweepRecord, result: TrialResult) {
  return {
    sweepId: sweep.sweepId,
    trialId: result.trialId,
    metric: sweep.spec.metric,
    config: result.config,
    metrics: result.metrics,
    bestEpoch: result.bestEpoch,
    inputShape: result.inputShape,
    normalization: result.normalization ?? { mode: 'none' as const },
    history: result.history,
  };
}

/** The sweep's MiniRocket baseline: its metrics and what predicting with its model needs. */
export function baselineSummary(sweep: SweepRecord, result: BaselineResult) {
  return {
    kind: 'baseline' as const,
    sweepId: sweep.sweepId,
    method: result.method,
    metric: sweep.spec.metric,
    metrics: result.metrics,
    classes: result.classes,
    features: result.features,
    alpha: result.alpha,
    seconds: result.seconds,
    inputShape: result.inputShape,
    normalization: result.normalization,
  };
}

/** The text of `trial.json`: the summary and when it was exported. */
export function trialSummaryJson(summary: object, exportedAt = new Date()): string {
  return JSON.stringify({ ...summary, exportedAt: exportedAt.toISOString() }, null, 2);
}

/** Why an export cannot be made: `status` 404 (nothing to export yet, or not kept) or 500 (stored but unreadable). */
export interface ExportRefusal {
  refused: string;
  status: 404 | 500;
}

export const isRefusal = (v: object): v is ExportRefusal => 'refused' in v;

/** The sweep's finished baseline result, or why there is none (no baseline, or not done: failed, queued, ...). */
export async function finishedBaseline(store: SweepStore, sweep: SweepRecord): Promise<BaselineResult | ExportRefusal> {
  const { sweepId } = sweep;
  const state = await store.baselineState(sweep);
  if (state.state === 'none') return { refused: `sweep ${sweepId} has no baseline (its spec says baseline: none)`, status: 404 };
  if (state.state !== 'done') {
    const why = state.state === 'failed' ? `: it failed (${state.failure.reason})` : ` (it is ${state.state})`;
    return { refused: `the MiniRocket baseline of sweep ${sweepId} has no result yet${why}`, status: 404 };
  }
  return state.result;
}

/** The baseline's stored MiniRocket model, validated, or why it cannot be had (not kept, or not a valid model). */
export async function storedBaselineModel(
  artifacts: ArtifactStore,
  sweep: SweepRecord,
  result: BaselineResult,
): Promise<MiniRocketModel | ExportRefusal> {
  const { sweepId } = sweep;
  if (!result.model)
    return { refused: `the baseline model of sweep ${sweepId} was not kept (workers ran with --artifacts none)`, status: 404 };
  // MiniRocket's code is loaded by what exports it only (CLI commands start without it).
  const { MINIROCKET_FILE, MiniRocketModelSchema } = await import('../model/minirocket/index.js');
  const text = await artifacts.loadBaseline(sweepId, MINIROCKET_FILE, result.model);
  const parsed = MiniRocketModelSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    return {
      refused: `the stored baseline model of sweep ${sweepId} is not a valid MiniRocket model: ${formatZodIssues(parsed.error)}`,
      status: 500,
    };
  }
  return parsed.data;
}
