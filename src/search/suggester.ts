import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueMissingTrials } from '../producer/queue-trials.js';
import type { TrialJob } from '../queue/trial-job.js';
import { SWEEPABLE } from '../definition/sweep-spec.js';
import { TRIAL_DEFAULTS, TrialConfigSchema, normalizeTrialConfig, withAbsentOptions, type TrialConfig } from '../model/trial-config.js';
import { trialIdOf, type Trial } from '../definition/trials.js';
import type { SweepRecord } from '../store/records.js';
import { SweepStore } from '../store/sweep-store.js';
import { canonicalJson, sha256Hex } from '../util/hash.js';
import { createRng } from '../util/rng.js';
import { suggestTpe, type Assignment, type Observation, type SearchSpace } from './tpe.js';

export interface SuggestDeps {
  redis: Redis;
  queue: Queue<TrialJob>;
  prefix: string;
}

const LOCK_MS = 10_000;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The config's values of the searched parameters; absent options read as what they mean, as TPE suggests them. */
function assignmentOf(config: TrialConfig, space: SearchSpace): Assignment {
  const full: Record<string, unknown> = withAbsentOptions(config);
  return Object.fromEntries(Object.keys(space).map((k) => [k, full[k]]));
}

/**
 * Keeps a tpe sweep supplied: suggests new trials until `parallelism` are pending or the budget
 * is spent. Any process may call it at any time (enqueue, every worker when a trial of the sweep
 * ends, `lstm-sweep controller`): a lock in Redis makes one suggest at a time, pending trials
 * count as bad results (constant liar) so parallel workers get different configurations, and
 * each suggestion is seeded by a counter in Redis, so a suggester killed mid-way and restarted
 * repeats nothing. Returns how many trials it added.
 */
export async function topUpSweep(sweep: SweepRecord, deps: SuggestDeps): Promise<number> {
  if (sweep.spec.method !== 'tpe') return 0;
  const store = new SweepStore(deps.redis, deps.prefix);
  const lock = store.keys.suggestLock(sweep.sweepId);
  const token = randomBytes(8).toString('hex');
  // Wait for a concurrent suggester rather than skip: it may have read the results before the
  // trial that brought us here ended, and nobody else might come after us.
  const deadline = Date.now() + LOCK_MS;
  while ((await deps.redis.set(lock, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
    if (Date.now() > deadline) return 0;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    if (await store.isCancelRequested(sweep.sweepId)) return 0;
    const trials = await store.getTrials(sweep.sweepId);
    const [results, failures, cancelled] = await Promise.all([
      store.getResults(sweep.sweepId),
      store.getFailures(sweep.sweepId),
      deps.redis.smembers(store.keys.cancelled(sweep.sweepId)),
    ]);
    const dropped = new Set([...failures.map((f) => f.trialId), ...cancelled]);
    const ended = new Set([...results.map((r) => r.trialId), ...dropped]);
    const pending = trials.filter((t) => !ended.has(t.trialId));
    // Trials registered by a suggester that died before queueing them get their jobs now.
    await queueMissingTrials(sweep, pending, deps, { retryFailed: false });

    const space = Object.fromEntries(
      SWEEPABLE.filter((n) => sweep.spec.parameters[n] !== undefined).map((n) => [n, sweep.spec.parameters[n]]),
    ) as SearchSpace;
    const value = new Map(results.map((r) => [r.trialId, r.metrics[sweep.spec.metric.name]]));
    const observations: Observation[] = trials
      .filter((t) => !dropped.has(t.trialId))
      .map((t) => ({ assignment: assignmentOf(t.config, space), value: value.get(t.trialId) }));
    const taken = new Set(trials.map((t) => canonicalJson(assignmentOf(t.config, space))));

    const budget = (sweep.spec.count ?? 0) - trials.length;
    const wanted = Math.min(budget, sweep.spec.parallelism - pending.length);
    const added: Trial[] = [];
    for (let i = 0; i < wanted; i++) {
      const n = await deps.redis.incr(store.keys.suggestions(sweep.sweepId));
      const seed = parseInt(sha256Hex(`${sweep.spec.samplerSeed}:${n}`).slice(0, 8), 16);
      const assignment = suggestTpe(space, observations, {
        goal: sweep.spec.metric.goal,
        rng: createRng(seed),
        isTaken: (a) => taken.has(canonicalJson(a)),
      });
      if (!assignment) break; // a discrete space with every combination tried
      const config = normalizeTrialConfig(TrialConfigSchema.parse({ ...TRIAL_DEFAULTS, ...assignment, seed: sweep.spec.seeds[0] }));
      added.push({ trialId: trialIdOf(config), config });
      taken.add(canonicalJson(assignmentOf(config, space)));
      observations.push({ assignment, value: undefined });
    }
    if (added.length > 0) {
      await deps.redis.hset(store.keys.trials(sweep.sweepId), ...added.flatMap((t) => [t.trialId, JSON.stringify(t.config)]));
      await queueMissingTrials(sweep, added, deps, { retryFailed: false });
    }
    if (added.length < wanted && pending.length === 0) await store.shrinkBudget(sweep.sweepId, trials.length + added.length);
    return added.length;
  } finally {
    await deps.redis.eval(RELEASE, 1, lock, token);
  }
}

