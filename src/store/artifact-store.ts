import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isCluster, type RedisClient } from './redis.js';
import { readModelDir, writeModelDir, type SavedModel } from '../model/saved-model.js';
import { TRIAL_ID, isSweepId } from '../definition/ids.js';
import { UserError } from '../util/errors.js';
import { Keys } from './keys.js';
import { guardRedis } from './redis-errors.js';

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

/**
 * `<root>/<sweepId>/<trialId>`, resolved, for ids of the form lstm-sweep makes only: the folder
 * can never be outside `root`.
 */
export function modelDir(root: string, sweepId: string, trialId: string): string {
  if (!isSweepId(sweepId) || !TRIAL_ID.test(trialId)) {
    throw new UserError(`not a sweep and trial id made by lstm-sweep: ${JSON.stringify(`${sweepId}/${trialId}`.slice(0, 120))}`);
  }
  const base = path.resolve(root);
  const dir = path.resolve(base, sweepId, trialId);
  if (path.relative(base, dir) !== path.join(sweepId, trialId)) throw new UserError(`${dir} is outside ${base}`);
  return dir;
}

/** `<root>/<sweepId>/baseline`, resolved: where a directory store keeps the sweep's baseline model. */
export function baselineDir(root: string, sweepId: string): string {
  if (!isSweepId(sweepId)) throw new UserError(`not a sweep id made by lstm-sweep: ${JSON.stringify(sweepId.slice(0, 120))}`);
  const base = path.resolve(root);
  const dir = path.resolve(base, sweepId, 'baseline');
  if (path.relative(base, dir) !== path.join(sweepId, 'baseline')) throw new UserError(`${dir} is outside ${base}`);
  return dir;
}

/** A baseline model file: a plain name such as `minirocket.json`. */
const MODEL_FILE = /^[a-z0-9-]{1,40}\.json$/;

/** How a result says where its model is. */
export type StoredModelRef = { storedIn: 'redis' } | { storedIn: 'dir'; path: string };

export class ArtifactStore {
  private readonly keys: Keys;

  private readonly redis: RedisClient;

  constructor(redis: RedisClient, prefix: string) {
    this.redis = guardRedis(redis);
    this.keys = new Keys(prefix, { cluster: isCluster(redis) });
  }

  async save(location: ArtifactLocation, sweepId: string, trialId: string, model: SavedModel): Promise<StoredModelRef | undefined> {
    if (location.kind === 'none') return undefined;
    if (location.kind === 'dir') {
      const dir = modelDir(location.dir, sweepId, trialId);
      await writeModelDir(dir, model);
      return { storedIn: 'dir', path: dir };
    }
    await this.redis.hset(this.keys.models(sweepId), `${trialId}.json`, JSON.stringify(model.modelJson), `${trialId}.bin`, model.weights);
    return { storedIn: 'redis' };
  }

  /**
   * Keeps the sweep's baseline model, a JSON document, as `file` (`<dir>/<sweepId>/baseline/<file>`
   * or a field of the sweep's models hash); the caller validates it when it reads it back.
   */
  async saveBaseline(location: ArtifactLocation, sweepId: string, file: string, model: unknown): Promise<StoredModelRef | undefined> {
    if (!MODEL_FILE.test(file)) throw new UserError(`not a baseline model file name: ${JSON.stringify(file)}`);
    if (location.kind === 'none') return undefined;
    const text = JSON.stringify(model);
    if (location.kind === 'dir') {
      const dir = baselineDir(location.dir, sweepId);
      await mkdir(dir, { recursive: true });
      // A temporary file renamed into place: a reader never sees half a model.
      const tmp = path.join(dir, `.${file}.${process.pid}.tmp`);
      await writeFile(tmp, text);
      await rename(tmp, path.join(dir, file));
      return { storedIn: 'dir', path: dir };
    }
    await this.redis.hset(this.keys.models(sweepId), `baseline.${file}`, text);
    return { storedIn: 'redis' };
  }

  /** The baseline model's JSON text, from where its result says it is. */
  async loadBaseline(sweepId: string, file: string, ref: StoredModelRef): Promise<string> {
    if (!MODEL_FILE.test(file)) throw new UserError(`not a baseline model file name: ${JSON.stringify(file)}`);
    if (ref.storedIn === 'dir') {
      const dir = path.resolve(ref.path);
      if (dir !== baselineDir(path.dirname(path.dirname(dir)), sweepId)) {
        throw new UserError(
          `the baseline result points its model at ${JSON.stringify(ref.path)}, not a folder <artifacts>/${sweepId}/baseline`,
        );
      }
      return readFile(path.join(dir, file), 'utf8');
    }
    const text = await this.redis.hget(this.keys.models(sweepId), `baseline.${file}`);
    if (text === null) throw new Error(`the baseline model of sweep ${sweepId} is not in Redis`);
    return text;
  }

  async load(sweepId: string, trialId: string, ref: StoredModelRef): Promise<SavedModel> {
    if (ref.storedIn === 'dir') {
      // The path comes from a stored result: it must be a trial folder of this sweep and trial.
      const dir = path.resolve(ref.path);
      if (dir !== modelDir(path.dirname(path.dirname(dir)), sweepId, trialId)) {
        throw new UserError(
          `the result of trial ${trialId} points its model at ${JSON.stringify(ref.path)}, not a folder <artifacts>/${sweepId}/${trialId}`,
        );
      }
      return readModelDir(dir);
    }
    const [json, weights] = await this.redis.hmgetBuffer(this.keys.models(sweepId), `${trialId}.json`, `${trialId}.bin`);
    if (!json || !weights) throw new Error(`the model of trial ${trialId} is not in Redis`);
    return { modelJson: JSON.parse(json.toString('utf8')), weights };
  }
}
