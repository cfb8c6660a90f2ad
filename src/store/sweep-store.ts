import { randomBytes } from 'node:crypto';
import { isCluster, type RedisClient } from './redis.js';
import { z } from 'zod';
import type { Trial } from '../definition/trials.js';
import { baselineOf, type Metric } from '../definition/sweep-spec.js';
import { isSweepId } from '../definition/ids.js';
import { CorruptRecordError } from '../util/errors.js';
import { log } from '../util/logger.js';
import { runScript } from './commands.js';
import { Keys } from './keys.js';
import { queuedJobStates, removeQueuedJobs, type QueueKeyNames, type QueuedJobState } from './queue-jobs.js';
import { guardRedis, storeError } from './redis-errors.js';
import {
  ActiveTrialSchema,
  BaselineFailureSchema,
  BaselineResultSchema,
  type BaselineFailure,
  type BaselineResult,
  type BaselineState,
  EpochMetricsSchema,
  type EpochMetrics,
  type TrialEvent,
  SweepRecordSchema,
  TrialFailureSchema,
  TrialResultSchema,
  type ActiveTrial,
  type LeaderboardRow,
  type StatusCounts,
  type SweepRecord,
  type TrialFailure,
  type TrialResult,
  LiveHistorySchema,
  type LiveHistory,
  type TrialPhase,
  CvHistoriesSchema,
  type CvHistories,
} from './records.js';
import { TrialConfigSchema, type TrialConfig } from '../model/trial-config.js';

/** Parses a stored record; one that does not parse or validate is a CorruptRecordError naming its key. */
function parseJson<S extends z.ZodType>(schema: S, text: string, key: string, field?: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CorruptRecordError(key, field, `not JSON (${(err as Error).message})`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CorruptRecordError(key, field, `${issue?.path.join('.') || 'record'}: ${issue?.message}`);
  }
  return result.data;
}

/** start-trial.lua / start-baseline.lua: 0 (unknown), or 1, fence, cancelled, earlier result. */
type StartReply = [0] | [1, number, number, string | null];

/** A record a listing skipped because it is corrupt (see CorruptRecordError). */
export interface SkippedRecord {
  key: string;
  field?: string;
  reason: string;
}

export function skippedRecord(err: CorruptRecordError): SkippedRecord {
  return { key: err.key, ...(err.field === undefined ? {} : { field: err.field }), reason: err.reason };
}

/** A record that may be missing or corrupt: undefined either way (views skip it). */
function parseOptional<S extends z.ZodType>(schema: S, text: string | null | undefined): z.infer<S> | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Value used to order a metric in the ranking; unusable values (NaN) sort last. Ties (AUC and
 * accuracy saturate at 1.0 on easy data) go to the lower validation loss: it shifts the score by
 * at most 1e-7, below any difference the metric itself can show.
 */
function rankScore(metric: Metric, result: TrialResult): number {
  const value = result.metrics[metric.name];
  if (value === undefined || !Number.isFinite(value)) return metric.goal === 'maximize' ? -1e308 : 1e308;
  const loss = result.metrics.valLoss;
  if (metric.name === 'valLoss' || !Number.isFinite(loss)) return value;
  const tieBreak = 1e-10 * Math.min(Math.max(loss, 0), 1e3);
  return metric.goal === 'maximize' ? value - tieBreak : value + tieBreak;
}

export interface SweepStoreOptions {
  /**
   * Replicas that must hold a write before lstm-sweep acts on it (a delivery's fencing token
   * before training, a result before its job completes, a producer's jobs before it exits): Redis
   * replicates asynchronously, and a master that fails before its replica received a write loses
   * it in the failover (WAIT). Default: 1 on a Redis Cluster, 0 (no wait) on a single Redis.
   */
  waitReplicas?: number;
  /** How long to wait for them before going on (and logging `redis.unreplicated`). Default 1000 ms. */
  waitTimeoutMs?: number;
}

/** A live history as workers write it: `{phase, history}`, or a bare history from workers older than phases. */
const LiveRecordSchema = z.union([LiveHistorySchema, z.array(EpochMetricsSchema).transform((history): LiveHistory => ({ history }))]);

const DEFAULT_WAIT_TIMEOUT_MS = 1000;

/** Trials per command of a bulk write: a JavaScript call with 100,000s of arguments overflows the stack. */
const ARGS_BATCH = 10_000;

/** Sweeps, trials, results and failures in Redis: the one source of truth users read. */
export class SweepStore {
  private readonly keys: Keys;
  /** Replicas the master of this store's slot had at the last wait (a master without replicas is not waited on). */
  private replicasSeen: number | undefined;

  /** enqueue lock key -> this store's token for it, while held (see withEnqueueLock) */
  private readonly lockTokens = new Map<string, { token: string; running: boolean }>();

  private readonly redis: RedisClient;

  constructor(
    redis: RedisClient,
    prefix: string,
    private readonly opts: SweepStoreOptions = {},
  ) {
    this.redis = guardRedis(redis);
    this.keys = new Keys(prefix, { cluster: isCluster(redis) });
  }

  /**
   * Waits (WAIT) until the replicas of the master holding this store's keys have every write this
   * connection made so far, up to `waitTimeoutMs`; returns how many have them, or undefined when
   * no wait is configured (a single Redis). Falling short is logged, not thrown: the write stands
   * on the master, and is lost only if the master fails before it replicates.
   */
  async confirmReplicated(): Promise<number | undefined> {
    const wanted = this.opts.waitReplicas ?? (isCluster(this.redis) ? 1 : 0);
    if (wanted === 0) return undefined;
    const replicas = Math.min(wanted, this.replicasSeen ?? wanted);
    const timeoutMs = this.opts.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    // A pipeline goes to one node: a keyed command routes the keyless INFO and WAIT to the master
    // of the store's slot, on the connection that made the writes.
    const replies = (await this.redis.pipeline().exists(this.keys.sweeps()).info('replication').wait(replicas, timeoutMs).exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const info = String(replies[1]?.[1] ?? '');
    this.replicasSeen = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? wanted);
    const acked = Number(replies[2]?.[1] ?? 0);
    if (acked < replicas) log('redis.unreplicated', { prefix: this.prefix, replicas: acked, wanted: replicas, timeoutMs }, process.stderr);
    return acked;
  }

  /** The key prefix this store reads and writes under. */
  get prefix(): string {
    return this.keys.prefix;
  }

  /** Round trip to Redis (health checks). */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  /**
   * Listens to the trial events workers publish (one message per started, epoch, completed,
   * failed or cancelled trial) on a connection of its own; `close()` ends it.
   */
  async subscribeEvents(onMessage: (text: string) => void): Promise<{ close(): Promise<void> }> {
    const subscriber = this.redis.duplicate();
    subscriber.on('error', () => undefined);
    const channel = this.keys.events();
    subscriber.on('message', (ch: string, text: string) => {
      if (ch === channel) onMessage(text);
    });
    await subscriber.subscribe(channel);
    return {
      async close() {
        subscriber.disconnect();
      },
    };
  }

  /** The stored configs of these trials, in order; undefined for an unknown or unreadable one. */
  async getTrialConfigs(sweepId: string, trialIds: string[]): Promise<(TrialConfig | undefined)[]> {
    if (trialIds.length === 0) return [];
    const texts = await this.redis.hmget(this.keys.trials(sweepId), ...trialIds);
    return texts.map((text) => parseOptional(TrialConfigSchema, text));
  }

  /** The results of these trials, in order; undefined where a trial has none (or it is unreadable). */
  async findResults(sweepId: string, trialIds: string[]): Promise<(TrialResult | undefined)[]> {
    if (trialIds.length === 0) return [];
    const texts = await this.redis.hmget(this.keys.results(sweepId), ...trialIds);
    return texts.map((text) => parseOptional(TrialResultSchema, text));
  }

  /** The fold and refit curves of cross-validated trials (saveResult keeps them apart from the results). */
  async getCvHistories(sweepId: string, trialIds: string[]): Promise<(CvHistories | undefined)[]> {
    if (trialIds.length === 0) return [];
    const texts = await this.redis.hmget(this.keys.cvCurves(sweepId), ...trialIds);
    return texts.map((text) => parseOptional(CvHistoriesSchema, text));
  }

  /** Registers more trials of a sweep (a tpe sweep's suggestions); an existing trial is rewritten unchanged. */
  async addTrials(sweepId: string, trials: Trial[]): Promise<void> {
    if (trials.length === 0) return;
    await this.redis.hset(this.keys.trials(sweepId), ...trials.flatMap((t) => [t.trialId, JSON.stringify(t.config)]));
  }

  /** Trials whose jobs `cancel` removed before they ran. */
  async getCancelledIds(sweepId: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(this.keys.cancelled(sweepId)));
  }

  /** 1, 2, 3, ...: a counter per sweep that seeds each suggestion, so a restarted suggester repeats nothing. */
  async nextSuggestionNumber(sweepId: string): Promise<number> {
    return this.redis.incr(this.keys.suggestions(sweepId));
  }

  /**
   * Runs `fn` holding the sweep's suggest lock (one suggester at a time across all processes).
   * Waits up to `waitMs` for a concurrent holder; returns undefined without running `fn` if the
   * lock stays taken. The lock expires after `ttlMs`, so a holder that dies frees it.
   */
  async withSuggestLock<T>(sweepId: string, opts: { ttlMs: number; waitMs: number }, fn: () => Promise<T>): Promise<T | undefined> {
    const lock = this.keys.suggestLock(sweepId);
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + opts.waitMs;
    while ((await this.redis.set(lock, token, 'PX', opts.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) return undefined;
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      return await fn();
    } finally {
      await runScript(this.redis, 'release-lock', 1, lock, token);
    }
  }

  /**
   * Records a trial's score (higher is better) at a rung (epoch) of a successive-halving pruner;
   * atomically returns how many trials have reached that rung and how many scored better.
   */
  async addToRung(sweepId: string, epoch: number, trialId: string, score: number | '-inf'): Promise<{ reached: number; better: number }> {
    const [reached, better] = (await runScript(this.redis, 'add-to-rung', 1, this.keys.rung(sweepId, epoch), trialId, String(score))) as [
      number,
      number,
    ];
    return { reached, better };
  }

  /**
   * Stores the sweep and its trials in one step (all or nothing, even when Redis runs out of
   * memory); returns false when the sweep already existed (then nothing is written). Its trials
   * count as not queued until `jobsQueued` says their jobs were added.
   */
  async createSweep(record: SweepRecord, trials: Trial[]): Promise<boolean> {
    const k = this.keys;
    const created = await runScript(
      this.redis,
      'create-sweep',
      4,
      k.sweep(record.sweepId),
      k.sweeps(),
      k.trials(record.sweepId),
      k.unqueued(record.sweepId),
      JSON.stringify(record),
      String(Number.isFinite(Date.parse(record.createdAt)) ? Date.parse(record.createdAt) : Date.now()),
      record.sweepId,
      // One array, not spread: a call with the 200,000 arguments of 100,000 trials overflows the stack.
      trials.flatMap((t) => [t.trialId, JSON.stringify(t.config)]),
    );
    return created === 1;
  }

  /**
   * Runs `fn` holding the sweep's enqueue lock: one producer at a time adds a sweep's jobs, so
   * each reports the jobs it added itself and the not-queued count stays exact. Waits for a
   * concurrent holder (up to `waitMs`); the lock lives `ttlMs` and is renewed while `fn` runs, so
   * a killed producer frees it within `ttlMs`.
   */
  async withEnqueueLock<T>(sweepId: string, fn: () => Promise<T>, opts: { ttlMs?: number; waitMs?: number } = {}): Promise<T> {
    const ttlMs = opts.ttlMs ?? 30_000;
    const waitMs = opts.waitMs ?? 15 * 60_000;
    const lock = this.keys.enqueueLock(sweepId);
    // A retry of an enqueue of this store whose lock was left behind (a Redis restart cut it off
    // before it could release it) takes that lock back instead of waiting for it to expire.
    const left = this.lockTokens.get(lock);
    const held = { token: left && !left.running ? left.token : randomBytes(8).toString('hex'), running: true };
    const acquire = async () =>
      (await this.redis.set(lock, held.token, 'PX', ttlMs, 'NX')) === 'OK' ||
      (held.token === left?.token && (await runScript(this.redis, 'extend-lock', 1, lock, held.token, String(ttlMs))) === 1);
    const deadline = Date.now() + waitMs;
    while (!(await acquire())) {
      if (Date.now() > deadline) {
        throw new Error(
          `another producer has been adding the jobs of sweep ${sweepId} for ${Math.round(waitMs / 1000)} s; try again later`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.lockTokens.set(lock, held);
    const renew = setInterval(() => {
      void runScript(this.redis, 'extend-lock', 1, lock, held.token, String(ttlMs)).catch(() => undefined);
    }, ttlMs / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      held.running = false;
      await runScript(this.redis, 'release-lock', 1, lock, held.token)
        .then(() => this.lockTokens.delete(lock))
        .catch(() => undefined);
    }
  }

  /**
   * Under the enqueue lock, before adding jobs: these trials (ended or without a job) are about
   * to be queued again: their failure and cancellation marks go, and they are the ones not queued.
   */
  async queuing(sweepId: string, trialIds: string[]): Promise<void> {
    const multi = this.redis.multi().set(this.keys.unqueued(sweepId), trialIds.length);
    for (let i = 0; i < trialIds.length; i += ARGS_BATCH) {
      const batch = trialIds.slice(i, i + ARGS_BATCH);
      multi.hdel(this.keys.failures(sweepId), ...batch).srem(this.keys.cancelled(sweepId), ...batch);
    }
    await multi.exec();
  }

  /** Under the enqueue lock: `count` more of the sweep's trials have their jobs. */
  async jobsQueued(sweepId: string, count: number): Promise<void> {
    if (count > 0) await this.redis.decrby(this.keys.unqueued(sweepId), count);
  }

  /** The error to report for a failed call to this Redis from outside the store (e.g. BullMQ's): see storeError. */
  explainError(err: unknown): Promise<unknown> {
    return storeError(err, this.redis);
  }

  /** The sweep's record; undefined when there is none (a string that is no sweep id names none). */
  async getSweep(sweepId: string): Promise<SweepRecord | undefined> {
    if (!isSweepId(sweepId)) return undefined;
    const text = await this.redis.get(this.keys.sweep(sweepId));
    return text === null ? undefined : parseJson(SweepRecordSchema, text, this.keys.sweep(sweepId));
  }

  /** Sweep ids, newest first. */
  async listSweeps(): Promise<string[]> {
    return this.redis.zrevrange(this.keys.sweeps(), 0, -1);
  }

  async getTrials(sweepId: string): Promise<Trial[]> {
    const all = await this.redis.hgetall(this.keys.trials(sweepId));
    return Object.entries(all).map(([trialId, text]) => ({
      trialId,
      config: parseJson(TrialConfigSchema, text, this.keys.trials(sweepId), trialId),
    }));
  }

  async getResult(sweepId: string, trialId: string): Promise<TrialResult | undefined> {
    const text = await this.redis.hget(this.keys.results(sweepId), trialId);
    return text === null ? undefined : parseJson(TrialResultSchema, text, this.keys.results(sweepId), trialId);
  }

  /** The ids of the sweep's trials, without reading their configs. */
  async trialIds(sweepId: string): Promise<string[]> {
    return this.redis.hkeys(this.keys.trials(sweepId));
  }

  /** Removes a sweep's queued jobs from its BullMQ queue (see queue-jobs.ts); active ones are counted, not touched. */
  async removeQueuedJobs(
    queue: QueueKeyNames,
    jobIdPrefix: string,
    opts: { batch?: number } = {},
  ): Promise<{ removed: string[]; active: number }> {
    return removeQueuedJobs(this.redis, queue, jobIdPrefix, opts.batch);
  }

  /** Removes one job by its exact id when it is queued (not active); says whether it did and whether it is active. */
  async removeQueuedJob(queue: QueueKeyNames, jobId: string): Promise<{ removed: boolean; active: boolean }> {
    // The same one-pass script as a sweep's trials, its pattern matching the empty rest of the id.
    const { removed, active } = await removeQueuedJobs(this.redis, queue, jobId, 1, '^$');
    return { removed: removed.length > 0, active: active > 0 };
  }

  /** Where each of these jobs is in the queue, in O(1) per job (see queue-jobs.ts). */
  async queuedJobStates(queue: QueueKeyNames, jobIds: string[]): Promise<QueuedJobState[]> {
    return queuedJobStates(this.redis, queue, jobIds);
  }

  async resultIds(sweepId: string): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(this.keys.results(sweepId)));
  }

  /**
   * One atomic step at the start of every delivery of a trial. Refuses (`known: false`, nothing
   * written) a trial its sweep does not hold, or a sweep that does not exist: a job made up or
   * altered outside lstm-sweep. Otherwise marks it active and says whether its sweep was
   * cancelled or an earlier delivery already wrote its result. `fence` numbers this delivery
   * (1, 2, ...: its attempt, counting re-deliveries after a crash or a lost lock, not hand-backs
   * of jobs that never started) and is its token for `saveResult`.
   */
  async startTrial(
    sweepId: string,
    trialId: string,
    active: Omit<ActiveTrial, 'attempt'>,
  ): Promise<{ known: false } | { known: true; fence: number; cancelled: boolean; earlier: TrialResult | undefined }> {
    const k = this.keys;
    const reply = (await runScript(
      this.redis,
      'start-trial',
      6,
      k.sweep(sweepId),
      k.trials(sweepId),
      k.cancelFlag(sweepId),
      k.results(sweepId),
      k.active(sweepId),
      k.deliveries(sweepId),
      trialId,
      JSON.stringify(active),
      ...this.event(sweepId, trialId, 'started'),
    )) as StartReply;
    return this.delivery(reply, TrialResultSchema, this.keys.results(sweepId), trialId);
  }

  private event(sweepId: string, trialId: string, type: TrialEvent['type']): [string, string] {
    return [this.keys.events(), JSON.stringify({ sweepId, trialId, type } satisfies TrialEvent)];
  }

  /**
   * Writes (or overwrites: one record per trial) a result and ranks it, atomically. With the
   * `fence` of the delivery that computed it (from startTrial), the write happens only while that
   * delivery is the trial's latest: a stale worker's late result never replaces the real one.
   * Returns false when it was refused.
   */
  async saveResult(result: TrialResult, metric: Metric, fence = 0): Promise<boolean> {
    const { cvHistories, ...record } = result;
    const { sweepId, trialId } = result;
    const k = this.keys;
    const written = await runScript(
      this.redis,
      'save-result',
      8,
      k.deliveries(sweepId),
      k.results(sweepId),
      k.ranking(sweepId),
      k.failures(sweepId),
      k.active(sweepId),
      k.live(sweepId),
      k.pruned(sweepId),
      k.cvCurves(sweepId),
      trialId,
      String(fence),
      JSON.stringify(record),
      String(rankScore(metric, result)),
      result.pruned ? '1' : '0',
      ...this.event(sweepId, trialId, 'completed'),
      cvHistories ? JSON.stringify(cvHistories) : '',
    );
    // The job completes (and the trial counts as done) only once its result is on a replica.
    if (written === 1) await this.confirmReplicated();
    return written === 1;
  }

  /**
   * Starts a delivery of the sweep's baseline job (as startTrial for a trial): `known: false`
   * when the sweep does not exist; `fence` is this delivery's token for saveBaseline.
   */
  async startBaseline(
    sweepId: string,
    active: Omit<ActiveTrial, 'attempt'>,
  ): Promise<{ known: false } | { known: true; fence: number; cancelled: boolean; earlier: BaselineResult | undefined }> {
    const k = this.keys;
    const reply = (await runScript(
      this.redis,
      'start-baseline',
      3,
      k.sweep(sweepId),
      k.baseline(sweepId),
      k.cancelFlag(sweepId),
      JSON.stringify(active),
    )) as StartReply;
    return this.delivery(reply, BaselineResultSchema, k.baseline(sweepId), 'result');
  }

  /**
   * What start-trial.lua and start-baseline.lua answer, as a delivery. Training starts only once
   * this delivery's token is on a replica: a failover can then never hand the same token to a
   * second delivery.
   */
  private async delivery<S extends z.ZodType>(
    reply: StartReply,
    schema: S,
    key: string,
    field: string,
  ): Promise<{ known: false } | { known: true; fence: number; cancelled: boolean; earlier: z.infer<S> | undefined }> {
    if (reply[0] === 0) return { known: false };
    await this.confirmReplicated();
    const [, fence, cancelled, earlier] = reply;
    return { known: true, fence, cancelled: cancelled === 1, earlier: earlier ? parseJson(schema, earlier, key, field) : undefined };
  }

  /** Writes the sweep's baseline result, only while `fence` is its job's latest delivery; false when refused. */
  async saveBaseline(result: BaselineResult, fence = 0): Promise<boolean> {
    const written = await runScript(
      this.redis,
      'save-baseline',
      1,
      this.keys.baseline(result.sweepId),
      String(fence),
      JSON.stringify(result),
    );
    if (written === 1) await this.confirmReplicated();
    return written === 1;
  }

  /** A baseline job that failed for good; a result an earlier attempt wrote is kept. */
  async saveBaselineFailure(sweepId: string, failure: BaselineFailure): Promise<void> {
    const key = this.keys.baseline(sweepId);
    const hasResult = await this.redis.hexists(key, 'result');
    const multi = this.redis.multi().hdel(key, 'active');
    if (!hasResult) multi.hset(key, 'failure', JSON.stringify(failure));
    await multi.exec();
  }

  /** The baseline job will not run (its sweep was cancelled), or its delivery ended without a result. */
  async markBaselineCancelled(sweepId: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.baseline(sweepId), 'cancelled', new Date().toISOString())
      .hdel(this.keys.baseline(sweepId), 'active')
      .exec();
  }

  async clearBaselineActive(sweepId: string): Promise<void> {
    await this.redis.hdel(this.keys.baseline(sweepId), 'active');
  }

  /** Under the enqueue lock, before the baseline job is added (again): its failure and cancellation marks go. */
  async queuingBaseline(sweepId: string): Promise<void> {
    await this.redis.hdel(this.keys.baseline(sweepId), 'failure', 'cancelled');
  }

  /** The sweep's baseline result; undefined when there is none yet. A corrupt record is a CorruptRecordError. */
  async getBaselineResult(sweepId: string): Promise<BaselineResult | undefined> {
    const text = await this.redis.hget(this.keys.baseline(sweepId), 'result');
    return text === null ? undefined : parseJson(BaselineResultSchema, text, this.keys.baseline(sweepId), 'result');
  }

  /**
   * Where the sweep's baseline stands, from the store alone (`queued`: it should have a job and
   * has no other mark). A corrupt result or failure is left out and added to `skipped`.
   */
  async baselineState(sweep: SweepRecord, skipped: SkippedRecord[] = []): Promise<BaselineState> {
    if (baselineOf(sweep.spec) === 'none') return { state: 'none' };
    const key = this.keys.baseline(sweep.sweepId);
    const [result, failure, active, cancelled] = await this.redis.hmget(key, 'result', 'failure', 'active', 'cancelled');
    if (result) {
      const [parsed] = this.parseOrSkip(BaselineResultSchema, result, key, 'result', skipped);
      if (parsed) return { state: 'done', result: parsed };
    }
    if (active) {
      const parsed = parseOptional(ActiveTrialSchema, active);
      if (parsed) return { state: 'running', ...parsed };
    }
    if (failure) {
      const [parsed] = this.parseOrSkip(BaselineFailureSchema, failure, key, 'failure', skipped);
      if (parsed) return { state: 'failed', failure: parsed };
    }
    return cancelled ? { state: 'cancelled' } : { state: 'queued' };
  }

  /** The history so far of a trial in training and the phase it belongs to, for live learning curves and progress. */
  async saveLiveHistory(sweepId: string, trialId: string, history: EpochMetrics[], phase?: TrialPhase): Promise<void> {
    const live: LiveHistory = { ...(phase ? { phase } : {}), history };
    await this.redis
      .multi()
      .hset(this.keys.live(sweepId), trialId, JSON.stringify(live))
      .publish(...this.event(sweepId, trialId, 'epoch'))
      .exec();
  }

  async getLiveHistories(sweepId: string): Promise<Map<string, EpochMetrics[]>> {
    const live = await this.getLive(sweepId);
    return new Map([...live].map(([id, l]) => [id, l.history]));
  }

  /** Every trial in training's live history with its phase (fold i of k, refit, holdout). */
  async getLive(sweepId: string): Promise<Map<string, LiveHistory>> {
    const all = await this.redis.hgetall(this.keys.live(sweepId));
    return new Map(Object.entries(all).map(([id, text]) => [id, parseJson(LiveRecordSchema, text, this.keys.live(sweepId), id)]));
  }

  async saveFailure(failure: TrialFailure): Promise<void> {
    const { sweepId, trialId } = failure;
    const hasResult = await this.redis.hexists(this.keys.results(sweepId), trialId);
    const multi = this.redis
      .multi()
      .hdel(this.keys.active(sweepId), trialId)
      .hdel(this.keys.live(sweepId), trialId)
      .publish(...this.event(sweepId, trialId, 'failed'));
    // A trial that already succeeded (an earlier attempt) keeps its result.
    if (!hasResult) multi.hset(this.keys.failures(sweepId), trialId, JSON.stringify(failure));
    await multi.exec();
  }

  async clearActive(sweepId: string, trialId: string): Promise<void> {
    await this.redis.hdel(this.keys.active(sweepId), trialId);
  }

  /** The sweep's failures; a corrupt one is left out and added to `skipped` (see CorruptRecordError). */
  async getFailures(sweepId: string, skipped: SkippedRecord[] = []): Promise<TrialFailure[]> {
    const all = await this.redis.hgetall(this.keys.failures(sweepId));
    return Object.entries(all).flatMap(([id, text]) =>
      this.parseOrSkip(TrialFailureSchema, text, this.keys.failures(sweepId), id, skipped),
    );
  }

  private parseOrSkip<S extends z.ZodType>(schema: S, text: string, key: string, field: string, skipped: SkippedRecord[]): z.infer<S>[] {
    try {
      return [parseJson(schema, text, key, field)];
    } catch (err) {
      if (!(err instanceof CorruptRecordError)) throw err;
      skipped.push(skippedRecord(err));
      return [];
    }
  }

  async getActive(sweepId: string): Promise<Map<string, ActiveTrial>> {
    const all = await this.redis.hgetall(this.keys.active(sweepId));
    return new Map(Object.entries(all).map(([id, text]) => [id, parseJson(ActiveTrialSchema, text, this.keys.active(sweepId), id)]));
  }

  /**
   * Derived from the store alone (no scan of the queue), so it stays cheap for any sweep size.
   * `active` may briefly include a trial whose worker was killed, until it is re-delivered.
   */
  async counts(sweepId: string): Promise<StatusCounts> {
    // A pipeline, not MULTI: reads only, so they are answered while Redis refuses writes (a
    // MULTI is refused as a whole when Redis is out of memory, reads included).
    const replies = (await this.redis
      .pipeline()
      .hlen(this.keys.trials(sweepId))
      .hlen(this.keys.results(sweepId))
      .hlen(this.keys.failures(sweepId))
      .hlen(this.keys.active(sweepId))
      .scard(this.keys.cancelled(sweepId))
      .scard(this.keys.pruned(sweepId))
      .get(this.keys.sweep(sweepId))
      .get(this.keys.unqueued(sweepId))
      .exec())!;
    const failedReply = replies.find(([err]) => err);
    if (failedReply) throw failedReply[0];
    const [known, results, failed, activeRaw, cancelled, pruned] = replies.slice(0, 6).map(([, n]) => n as number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    // A tpe sweep suggests its trials over time: its total is the planned budget.
    const planned = (JSON.parse((replies[6]?.[1] as string | null) ?? '{}') as { trials?: number }).trials ?? 0;
    const total = Math.max(known, planned);
    const completed = results - pruned;
    const ended = results + failed + cancelled;
    // Waiting counts only trials that have a job: those stored without one are reported apart.
    const notQueued = Math.min(Math.max(0, Number(replies[7]?.[1] ?? 0) || 0), Math.max(0, total - ended));
    const active = Math.max(0, Math.min(activeRaw, total - ended - notQueued));
    return {
      total,
      waiting: Math.max(0, total - ended - active - notQueued),
      active,
      completed,
      failed,
      cancelled,
      pruned,
      ...(notQueued > 0 ? { notQueued } : {}),
    };
  }

  async requestCancel(sweepId: string): Promise<void> {
    await this.redis.set(this.keys.cancelFlag(sweepId), new Date().toISOString());
  }

  async isCancelRequested(sweepId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.cancelFlag(sweepId))) === 1;
  }

  /** A tpe sweep whose discrete space ran out before its budget: its total becomes what was tried. */
  async shrinkBudget(sweepId: string, trials: number): Promise<void> {
    const record = await this.getSweep(sweepId);
    if (record && record.trials > trials) await this.redis.set(this.keys.sweep(sweepId), JSON.stringify({ ...record, trials }));
  }

  async clearCancel(sweepId: string): Promise<void> {
    await this.redis.del(this.keys.cancelFlag(sweepId));
  }

  /** Records trials that will not run because their sweep was cancelled. */
  async markCancelled(sweepId: string, trialIds: string[]): Promise<void> {
    if (trialIds.length === 0) return;
    const multi = this.redis.multi();
    for (let i = 0; i < trialIds.length; i += ARGS_BATCH) {
      const batch = trialIds.slice(i, i + ARGS_BATCH);
      multi.sadd(this.keys.cancelled(sweepId), ...batch).hdel(this.keys.active(sweepId), ...batch);
    }
    await multi.publish(...this.event(sweepId, trialIds[0]!, 'cancelled')).exec();
  }

  async getResults(sweepId: string): Promise<TrialResult[]> {
    const all = await this.redis.hgetall(this.keys.results(sweepId));
    return Object.entries(all).map(([id, text]) => parseJson(TrialResultSchema, text, this.keys.results(sweepId), id));
  }

  /** How many results are ranked (the length of the full leaderboard). */
  async rankedCount(sweepId: string): Promise<number> {
    return this.redis.zcard(this.keys.ranking(sweepId));
  }

  /**
   * Results ranked by the sweep's metric, best first: `limit` of them (all when negative) from
   * rank `offset + 1` on, in two round trips whatever the sweep's size. `withPredictions` adds
   * each trial's test predictions. A corrupt result is left out (one bad record must not hide the
   * others) and added to `skipped`.
   */
  async leaderboard(
    sweepId: string,
    metric: Metric,
    limit = -1,
    opts: { withPredictions?: boolean; offset?: number; skipped?: SkippedRecord[] } = {},
  ): Promise<LeaderboardRow[]> {
    const start = opts.offset ?? 0;
    const stop = limit < 0 ? -1 : start + limit - 1;
    const ids =
      metric.goal === 'maximize'
        ? await this.redis.zrevrange(this.keys.ranking(sweepId), start, stop)
        : await this.redis.zrange(this.keys.ranking(sweepId), start, stop);
    if (ids.length === 0) return [];
    const key = this.keys.results(sweepId);
    const texts: (string | null)[] = [];
    for (let i = 0; i < ids.length; i += ARGS_BATCH) texts.push(...(await this.redis.hmget(key, ...ids.slice(i, i + ARGS_BATCH))));
    const results = texts.flatMap((text, i) =>
      text === null ? [] : this.parseOrSkip(TrialResultSchema, text, key, ids[i]!, opts.skipped ?? []),
    );
    return results.map((r, i) => ({
      rank: start + i + 1,
      trialId: r.trialId,
      config: r.config,
      metrics: r.metrics,
      epochs: r.epochsRun,
      durationMs: r.durationMs,
      backend: r.backend,
      ...(r.engine ? { engine: r.engine } : {}),
      ...(r.cv ? { cv: r.cv } : {}),
      ...(opts.withPredictions && r.testPredictions ? { testPredictions: r.testPredictions } : {}),
      worker: r.worker,
      attempts: r.attempts,
      ...(r.pruned ? { prunedAt: r.pruned.epoch } : {}),
      hasModel: r.model !== undefined,
    }));
  }
}
