/**
 * The baseline for bench/queue.ts: a plain BullMQ worker process whose (inline, not sandboxed)
 * processor sleeps as long as a dry-run trial and records, in one MULTI, how many times each job
 * ran (`<prefix>:bench:runs`, hash jobId -> count) and when it finished (`<prefix>:bench:finished`,
 * hash jobId -> epoch ms). Same lock settings as lstm-sweep's worker.
 *
 *   node --import tsx bench/bare-worker.ts --prefix <p> --concurrency <n> [--redis <url>]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DRY_RUN_MS } from '../src/worker/dry-run.js';
import { DEFAULT_LOCK_MS, DEFAULT_STALLED_INTERVAL_MS } from '../src/worker/worker.js';
import { BARE_QUEUE, bareKeys } from './common.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const prefix = arg('prefix');
  if (!prefix) throw new Error('--prefix is required');
  const concurrency = Number(arg('concurrency') ?? '1');
  const redis = new Redis(arg('redis') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const keys = bareKeys(prefix);
  const worker = new Worker(
    BARE_QUEUE,
    async (job) => {
      await sleep(DRY_RUN_MS);
      await redis.multi().hincrby(keys.runs, job.id!, 1).hset(keys.finished, job.id!, Date.now()).exec();
      return { ok: true };
    },
    {
      connection: redis,
      prefix,
      concurrency,
      lockDuration: DEFAULT_LOCK_MS,
      stalledInterval: DEFAULT_STALLED_INTERVAL_MS,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (err) => process.stderr.write(`bare worker error: ${err.message}\n`));
  await worker.waitUntilReady();
  process.stdout.write(`${JSON.stringify({ event: 'worker.ready', pid: process.pid })}\n`);
  const stop = async () => {
    await worker.close();
    redis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
