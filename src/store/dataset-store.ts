import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isCluster, type RedisClient } from './redis.js';
import { datasetHash, decodeDataset } from '../data/codec.js';
import type { Dataset } from '../data/types.js';
import { DatasetUnavailableError } from '../util/errors.js';
import { Keys } from './keys.js';
import { guardRedis } from './redis-errors.js';

export { DatasetUnavailableError };

/**
 * Decoded datasets a store keeps in memory, most recently used first. A trainer trains one trial
 * at a time, so this covers sweeps that alternate; more would keep every dataset of every sweep
 * a long-lived trainer ever served (each as large as its file). The local cache folder makes a
 * re-read cheap.
 */
export const DATASETS_IN_MEMORY = 2;

/**
 * Datasets live in Redis once, under their sha256, so workers on other hosts need no shared
 * filesystem; each worker host keeps a verified copy in a local cache folder.
 */
export class DatasetStore {
  private readonly keys: Keys;
  private readonly memory = new Map<string, Dataset>();

  private readonly redis: RedisClient;

  constructor(
    redis: RedisClient,
    prefix: string,
    private readonly cacheDir?: string,
  ) {
    this.redis = guardRedis(redis);
    this.keys = new Keys(prefix, { cluster: isCluster(redis) });
  }

  /** Stores an encoded dataset unless it is already there; returns its hash. */
  async put(encoded: Buffer): Promise<string> {
    const hash = datasetHash(encoded);
    await this.redis.set(this.keys.dataset(hash), encoded, 'NX');
    return hash;
  }

  /** Whether Redis still holds the dataset (a sweep can be resumed from Redis alone). */
  async has(hash: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.dataset(hash))) === 1;
  }

  async get(hash: string): Promise<Dataset> {
    const cached = this.memory.get(hash);
    if (cached) {
      // Map order is insertion order: re-inserting marks it the most recently used.
      this.memory.delete(hash);
      this.memory.set(hash, cached);
      return cached;
    }
    const encoded = (await this.readCache(hash)) ?? (await this.fetch(hash));
    const dataset = decodeDataset(encoded);
    this.memory.set(hash, dataset);
    for (const old of this.memory.keys()) {
      if (this.memory.size <= DATASETS_IN_MEMORY) break;
      this.memory.delete(old);
    }
    return dataset;
  }

  private async fetch(hash: string): Promise<Buffer> {
    const encoded = await this.redis.getBuffer(this.keys.dataset(hash));
    if (encoded === null) {
      throw new DatasetUnavailableError(
        `dataset ${hash} is not in Redis (deleted, or enqueued under another prefix?): enqueue the spec again`,
      );
    }
    if (datasetHash(encoded) !== hash) throw new DatasetUnavailableError(`dataset ${hash} in Redis does not match its hash`);
    await this.writeCache(hash, encoded);
    return encoded;
  }

  private cacheFile(hash: string): string | undefined {
    return this.cacheDir ? path.join(this.cacheDir, 'datasets', `${hash}.bin`) : undefined;
  }

  private async readCache(hash: string): Promise<Buffer | undefined> {
    const file = this.cacheFile(hash);
    if (!file) return undefined;
    try {
      const encoded = await readFile(file);
      return datasetHash(encoded) === hash ? encoded : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeCache(hash: string, encoded: Buffer): Promise<void> {
    const file = this.cacheFile(hash);
    if (!file) return;
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(tmp, encoded);
      await rename(tmp, file);
    } catch {
      // The cache only saves a download; a read-only or full disk must not fail the trial. A
      // partial copy (the disk filled up half-way, the rename failed) is removed, not left behind.
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }
}
