import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { KEY_PREFIX } from '../definition/ids.js';
import { BackendChoiceSchema, EngineChoiceSchema } from '../model/choices.js';
import { DEFAULT_MAX_TRIAL_MEMORY_MB } from '../model/network-plan.js';
import { DEFAULT_MAX_DATASET_MB } from '../data/limits.js';
import { parseOrThrow } from '../util/errors.js';
import { RedisUrlSchema } from './redis-url.js';

export { RedisUrlSchema };

/** Key prefix: every key lstm-sweep writes starts with it. `{...}` hash tags work with Redis Cluster. */
export const PrefixSchema = z.string().regex(KEY_PREFIX, { message: 'use 1-64 letters, digits, "_", ".", "-" and {} only' });

/** The dataset file size limit: up to 64 GB (the encoded dataset must still fit one Redis value of 512 MB). */
export const MaxDatasetMbSchema = z.coerce
  .number()
  .int()
  .min(1)
  .max(64 * 1024);

const EnvSchema = z.object({
  REDIS_URL: RedisUrlSchema.default('redis://127.0.0.1:6379'),
  /** A file holding the Redis password (keeps it out of the URL, the environment of trainers and `ps`). */
  REDIS_PASSWORD_FILE: z.string().min(1).optional(),
  LSW_PREFIX: PrefixSchema.default('lsw'),
  LSW_BACKEND: BackendChoiceSchema.default('auto'),
  LSW_ENGINE: EngineChoiceSchema.default('auto'),
  LSW_CACHE_DIR: z
    .string()
    .min(1)
    .default(path.join(os.homedir(), '.cache', 'lstm-sweep')),
  /** Where workers keep trained models: redis | none | a directory. */
  LSW_ARTIFACTS: z.string().min(1).default('redis'),
  /** enqueue: refuse trials whose training memory exceeds this many MB (src/producer/trial-size.ts). */
  LSW_MAX_TRIAL_MEMORY_MB: z.coerce
    .number()
    .int()
    .min(16)
    .max(1024 * 1024)
    .default(DEFAULT_MAX_TRIAL_MEMORY_MB),
  /** enqueue: refuse dataset files larger than this many MB (src/data/load.ts). */
  LSW_MAX_DATASET_MB: MaxDatasetMbSchema.default(DEFAULT_MAX_DATASET_MB),
  /** Set by a worker (`--gpu N` with the gpu engine) for its trainer: the WebGPU adapter to train on, by its index in Dawn's list. */
  LSW_GPU_ADAPTER: z.coerce.number().int().min(0).optional(),
  /** Set by a packing worker for its trainer: trials per gpu pack (`worker --pack K`). */
  LSW_PACK: z.coerce.number().int().min(1).max(256).optional(),
  /** Set by a worker for its trainer processes, so results name the worker. */
  LSW_WORKER_NAME: z.string().max(200).optional(),
});
export type Env = z.infer<typeof EnvSchema>;

/** The environment variables lstm-sweep reads, validated once. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => (k === 'REDIS_URL' || k === 'REDIS_PASSWORD_FILE' || k.startsWith('LSW_')) && v !== ''),
  );
  return parseOrThrow(EnvSchema, relevant, 'environment');
}
