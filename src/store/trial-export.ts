/**
 * What an exported model folder says about itself (`trial.json`): one builder for every place that
 * exports a model — `best --export`, `best --baseline --export` and the dashboard's model download —
 * so the file is the same wherever it comes from.
 */
import type { BaselineResult, SweepRecord, TrialResult } from './records.js';

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
