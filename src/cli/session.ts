import type { EnqueueDeps } from '../producer/enqueue.js';
import { ArtifactStore } from '../store/artifact-store.js';
import { DatasetStore } from '../store/dataset-store.js';
import { connectRedis } from '../store/redis.js';
import { SweepStore } from '../store/sweep-store.js';
import type { SweepRecord } from '../store/records.js';
import { UserError } from '../util/errors.js';
import { resolveConnection, type ConnectionFlags } from './options.js';

/** Runs a short CLI command against Redis, always closing the connection afterwards. */
export async function withStore<T>(
  flags: ConnectionFlags,
  fn: (store: SweepStore, ctx: { redisUrl: string; datasets: DatasetStore; artifacts: ArtifactStore }) => Promise<T>,
): Promise<T> {
  const { redisUrl, prefix } = resolveConnection(flags);
  const redis = await connectRedis(redisUrl);
  try {
    return await fn(new SweepStore(redis, prefix), {
      redisUrl,
      datasets: new DatasetStore(redis, prefix),
      artifacts: new ArtifactStore(redis, prefix),
    });
  } finally {
    redis.disconnect();
  }
}

export async function requireSweep(store: SweepStore, sweepId: string): Promise<SweepRecord> {
  const sweep = await store.getSweep(sweepId);
  if (!sweep) {
    throw new UserError(`no sweep "${sweepId}" under prefix "${store.prefix}"; list them with: lstm-sweep sweeps`);
  }
  return sweep;
}

/** Like withStore, with the trial queue open too. */
export async function withQueue<T>(flags: ConnectionFlags, fn: (deps: EnqueueDeps) => Promise<T>): Promise<T> {
  const { redisUrl, prefix } = resolveConnection(flags);
  // BullMQ is loaded by the commands that use the queue only (status and sweeps do not).
  const { createTrialQueue } = await import('../queue/trial-queue.js');
  const redis = await connectRedis(redisUrl);
  const queue = createTrialQueue(redis, prefix);
  const store = new SweepStore(redis, prefix);
  try {
    const out = await fn({ store, datasets: new DatasetStore(redis, prefix), queue });
    // What the command reports as done (jobs added or removed) is on a replica before it exits.
    await store.confirmReplicated();
    return out;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
