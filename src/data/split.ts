import type { Dataset, Split, TrainingData } from './types.js';
import type { DatasetSpec } from './dataset-spec.js';
import { createRng, shuffleInPlace } from '../util/rng.js';
import { UserError } from '../util/errors.js';

/**
 * Splits off a validation set with the same class balance: per class, a seeded shuffle puts
 * round(count * fraction) samples into validation (at least one, and never the whole class, when
 * the class has two or more). Both parts are shuffled so classes are interleaved.
 */
export function stratifiedSplit(split: Split, validationFraction: number, seed: number): { train: Split; validation: Split } {
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new RangeError(`validation fraction must be in (0, 1), got ${validationFraction}`);
  }
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < split.n; i++) {
    const label = split.y[i]!;
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  }
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label)!;
    shuffleInPlace(members, rng);
    const count = members.length;
    const take = count < 2 ? 0 : Math.min(count - 1, Math.max(1, Math.round(count * validationFraction)));
    valIdx.push(...members.slice(0, take));
    trainIdx.push(...members.slice(take));
  }
  shuffleInPlace(trainIdx, rng);
  shuffleInPlace(valIdx, rng);
  return { train: takeRows(split, trainIdx), validation: takeRows(split, valIdx) };
}

/**
 * Stratified k-fold: per class, a seeded shuffle deals the samples round-robin into `k` folds
 * (continuing where the previous class stopped, so fold sizes differ by at most one). Returns
 * the sample indices of each fold; every sample is in exactly one.
 */
export function stratifiedFolds(split: Split, k: number, seed: number): number[][] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be a whole number >= 2, got ${k}`);
  if (split.n < k) throw new UserError(`${k}-fold cross-validation needs at least ${k} training series; the train file has ${split.n}`);
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < split.n; i++) {
    const members = byClass.get(split.y[i]!);
    if (members) members.push(i);
    else byClass.set(split.y[i]!, [i]);
  }
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label)!;
    shuffleInPlace(members, rng);
    for (const i of members) folds[next++ % k]!.push(i);
  }
  for (const fold of folds) shuffleInPlace(fold, rng);
  return folds;
}

/** Copies the given samples, in the given order, into a new Split. */
export function takeRows(split: Split, indices: readonly number[]): Split {
  const size = split.timesteps * split.features;
  const x = new Float32Array(indices.length * size);
  const y = new Float32Array(indices.length);
  indices.forEach((src, dst) => {
    x.set(split.x.subarray(src * size, (src + 1) * size), dst * size);
    y[dst] = split.y[src]!;
  });
  return { n: indices.length, timesteps: split.timesteps, features: split.features, x, y };
}

/** The data a trial trains on: the train file split into train and validation, plus the test file. */
export function toTrainingData(ds: Dataset, spec: Pick<DatasetSpec, 'validationSplit' | 'splitSeed'>): TrainingData {
  const { train, validation } = stratifiedSplit(ds.train, spec.validationSplit, spec.splitSeed);
  if (validation.n === 0) {
    throw new UserError(
      `the training set (${ds.train.n} samples) is too small to split off a validation set: every class has a single sample`,
    );
  }
  return ds.test ? { train, validation, test: ds.test } : { train, validation };
}
