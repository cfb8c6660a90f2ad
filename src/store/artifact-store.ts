import path from 'node:path';
import type { Redis } from 'ioredis';
import { readModelDir, writeModelDir, type SavedModel } from '../model/saved-model.js';
import { Keys } from './keys.js';

/**
 * Where workers keep each finished trial's trained model: `redis` (default: no shared storage
 * needed), a directory (`/shared/artifacts`, e.g. a mounted volume: `<dir>/<sweepId>/<trialId>/`),
 * or `none`.
 */
export type ArtifactLocation = { kind: 'redis' } | { kind: 'dir'; dir: string } | { kind: 'none' };

export function parseArtifactLocation(value: string): ArtifactLocation {
  if (value === 'redis' || value === 'none') return { kind: value };
  return { kind: 'dir', dir: path.resolve(value) };
}

/** How a result says where its model is. */
export type StoredModelRef = { storedIn: 'redis' } | { storedIn: 'dir'; path: string };

export class ArtifactStore {
  private readonly keys: Keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
  }

  async save(location: ArtifactLocation, sweepId: string, trialId: string, model: SavedModel): Promise<StoredModelRef | undefined> {
    if (location.kind === 'none') return undefined;
    if (location.kind === 'dir') {
      const dir = path.join(location.dir, sweepId, trialId);
      await writeModelDir(dir, model);
      return { storedIn: 'dir', path: dir };
    }
    await this.redis.hset(this.keys.models(sweepId), `${trialId}.json`, JSON.stringify(model.modelJson), `${trialId}.bin`, model.weights);
    return { storedIn: 'redis' };
  }

  async load(sweepId: string, trialId: string, ref: StoredModelRef): Promise<SavedModel> {
    if (ref.storedIn === 'dir') return readModelDir(ref.path);
    const [json, weights] = await this.redis.hmgetBuffer(this.keys.models(sweepId), `${trialId}.json`, `${trialId}.bin`);
    if (!json || !weights) throw new Error(`the model of trial ${trialId} is not in Redis`);
    return { modelJson: JSON.parse(json.toString('utf8')), weights };
  }
}
