import type { Redis } from 'ioredis';
import type { QueueDeps } from '../producer/queue-trials.js';
import { createTrialQueue } from '../queue/trial-queue.js';
import { connectRedis } from '../store/redis.js';
import { SweepStore } from '../store/sweep-store.js';
import type { SweepRecord } from '../store/records.js';
import { UserError } from '../util/errors.js';
import { resolveConnection, type ConnectionFlags } from './options.js';

/** Runs a short CLI command against Redis, always closing the connection afterwards. */
export async function withStore<T>(
  flags: ConnectionFlags,
  fn: (store: SweepStore, ctx: { redis: Redis; prefix: string; redisUrl: string }) => Promise<T>,
): Promise<T> {
  const { redisUrl, prefix } = resolveConnection(flags);
  const redis = await connectRedis(redisUrl);
  try {
    return await fn(new SweepStore(redis, prefix), { redis, prefix, redisUrl });
  } finally {
    redis.disconnect();
  }
}

export async function requireSweep(store: SweepStore, sweepId: string): Promise<SweepRecord> {
  const sweep = await store.getSweep(sweepId);
  if (!sweep) {
    throw new UserError(`no sweep "${sweepId}" under prefix "${store.keys.prefix}"; list them with: lstm-sweep sweeps`);
  }
  return sweep;
}

/** Like withStore, with the trial queue open too. */
export async function withQueue<T>(flags: ConnectionFlags, fn: (deps: QueueDeps) => Promise<T>): Promise<T> {
  return withStore(flags, async (_store, { redis, prefix }) => {
    const queue = createTrialQueue(redis, prefix);
    try {
      return await fn({ redis, queue, prefix });
    } finally {
      await queue.close();
    }
  });
}
