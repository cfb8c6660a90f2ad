import { withAbsentOptions, type TrialConfig } from '../model/trial-config.js';
import { trialOf, type Trial } from '../definition/trials.js';
import { queueMissingTrials, type QueueDeps } from '../queue/queue-trials.js';
import type { SweepRecord } from '../store/records.js';
import { canonicalJson, sha256Hex } from '../util/hash.js';
import { createRng } from '../util/rng.js';
import { samplerFor } from './samplers/sampler-registry.js';
import { sweepSpace, type Assignment, type Observation, type SearchSpace } from './space.js';

export type SuggestDeps = QueueDeps;

const LOCK_MS = 10_000;

/** The config's values of the searched parameters; absent options read as what they mean, as samplers suggest them. */
export function assignmentOf(config: TrialConfig, space: SearchSpace): Assignment {
  const full: Record<string, unknown> = withAbsentOptions(config);
  return Object.fromEntries(space.map((d) => [d.name, full[d.name]]));
}

/** The rng seed of a sweep's n-th suggestion (n from 1): the same sweep always suggests the same way. */
export function suggestionSeed(samplerSeed: number, n: number): number {
  return parseInt(sha256Hex(`${samplerSeed}:${n}`).slice(0, 8), 16);
}

/**
 * Keeps a sweep whose sampler learns from results (tpe) supplied: suggests new trials until
 * `parallelism` are pending or the budget is spent. Any process may call it at any time
 * (enqueue, every worker when a trial of the sweep ends, `lstm-sweep controller`): the store's
 * suggest lock makes one suggest at a time, pending trials count as bad results (constant
 * liar) so parallel workers get different configurations, and each suggestion is seeded by a
 * counter in the store, so a suggester killed mid-way and restarted repeats nothing. Returns how
 * many trials it added.
 */
export async function topUpSweep(sweep: SweepRecord, deps: SuggestDeps): Promise<number> {
  if (sweep.spec.method !== 'tpe') return 0;
  const { store } = deps;
  const sweepId = sweep.sweepId;
  // Wait for a concurrent suggester rather than skip: it may have read the results before the
  // trial that brought us here ended, and nobody else might come after us.
  const added = await store.withSuggestLock(sweepId, { ttlMs: LOCK_MS, waitMs: LOCK_MS }, async () => {
    if (await store.isCancelRequested(sweepId)) return 0;
    const [trials, results, failures, cancelled] = await Promise.all([
      store.getTrials(sweepId),
      store.getResults(sweepId),
      store.getFailures(sweepId),
      store.getCancelledIds(sweepId),
    ]);
    const dropped = new Set([...failures.map((f) => f.trialId), ...cancelled]);
    const ended = new Set([...results.map((r) => r.trialId), ...dropped]);
    const pending = trials.filter((t) => !ended.has(t.trialId));
    // Trials registered by a suggester that died before queueing them get their jobs now.
    await queueMissingTrials(sweep, pending, deps, { retryFailed: false });

    const space = sweepSpace(sweep.spec.parameters);
    const value = new Map(results.map((r) => [r.trialId, r.metrics[sweep.spec.metric.name]]));
    const observations: Observation[] = trials
      .filter((t) => !dropped.has(t.trialId))
      .map((t) => ({ assignment: assignmentOf(t.config, space), value: value.get(t.trialId) }));
    const taken = new Set(trials.map((t) => canonicalJson(assignmentOf(t.config, space))));

    const sampler = samplerFor(sweep.spec.method);
    const budget = (sweep.spec.count ?? 0) - trials.length;
    const wanted = Math.min(budget, sweep.spec.parallelism - pending.length);
    const fresh: Trial[] = [];
    for (let i = 0; i < wanted; i++) {
      const n = await store.nextSuggestionNumber(sweepId);
      const seed = suggestionSeed(sweep.spec.samplerSeed, n);
      const assignment = sampler.suggest(space, observations, {
        goal: sweep.spec.metric.goal,
        rng: createRng(seed),
        isTaken: (a) => taken.has(canonicalJson(a)),
      });
      if (!assignment) break; // a discrete space with every combination tried
      const trial = trialOf(assignment, sweep.spec.seeds[0]!);
      fresh.push(trial);
      taken.add(canonicalJson(assignmentOf(trial.config, space)));
      observations.push({ assignment, value: undefined });
    }
    if (fresh.length > 0) {
      await store.addTrials(sweepId, fresh);
      await queueMissingTrials(sweep, fresh, deps, { retryFailed: false });
    }
    if (fresh.length < wanted && pending.length === 0) await store.shrinkBudget(sweepId, trials.length + fresh.length);
    return fresh.length;
  });
  return added ?? 0;
}
