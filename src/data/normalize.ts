import { z } from 'zod';
import type { Split, TrainingData } from './types.js';

/**
 * - `none`: values as in the files (the UCR univariate sets are z-normalised per series already);
 * - `series`: each series, each feature, to mean 0 / std 1 over its own time steps;
 * - `feature`: each feature to mean 0 / std 1 with statistics of the training split only, then
 *   the same shift and scale on validation, test and new series (no information leaks from them).
 */
export const NormalizationSchema = z.enum(['none', 'series', 'feature']);
export type Normalization = z.infer<typeof NormalizationSchema>;

/** What `feature` normalisation learned from the training split, kept with the model. */
export const FeatureStatsSchema = z.object({ mean: z.array(z.number()), std: z.array(z.number()) });
export type FeatureStats = z.infer<typeof FeatureStatsSchema>;

const EPS = 1e-8;

function perSeries(split: Split): Split {
  const { n, timesteps: T, features: F } = split;
  const x = new Float32Array(split.x.length);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) {
      let sum = 0;
      let sq = 0;
      for (let t = 0; t < T; t++) sum += split.x[(i * T + t) * F + f]!;
      const mean = sum / T;
      for (let t = 0; t < T; t++) sq += (split.x[(i * T + t) * F + f]! - mean) ** 2;
      const std = Math.sqrt(sq / T);
      for (let t = 0; t < T; t++) x[(i * T + t) * F + f] = (split.x[(i * T + t) * F + f]! - mean) / (std + EPS);
    }
  }
  return { ...split, x };
}

export function featureStats(split: Split): FeatureStats {
  const F = split.features;
  const count = split.n * split.timesteps;
  const mean = new Array<number>(F).fill(0);
  const sq = new Array<number>(F).fill(0);
  for (let k = 0; k < split.x.length; k++) mean[k % F]! += split.x[k]! / count;
  for (let k = 0; k < split.x.length; k++) sq[k % F]! += (split.x[k]! - mean[k % F]!) ** 2 / count;
  return { mean, std: sq.map(Math.sqrt) };
}

export function applyFeatureStats(split: Split, stats: FeatureStats): Split {
  const F = split.features;
  const x = split.x.map((v, k) => (v - stats.mean[k % F]!) / (stats.std[k % F]! + EPS));
  return { ...split, x };
}

/** Normalises every split of a trial's data; returns the statistics `feature` mode learned. */
export function normalizeTrainingData(data: TrainingData, mode: Normalization): { data: TrainingData; stats?: FeatureStats } {
  if (mode === 'none') return { data };
  const map = (fn: (s: Split) => Split): TrainingData => ({
    train: fn(data.train),
    validation: fn(data.validation),
    ...(data.test ? { test: fn(data.test) } : {}),
  });
  if (mode === 'series') return { data: map(perSeries) };
  const stats = featureStats(data.train);
  return { data: map((s) => applyFeatureStats(s, stats)), stats };
}

/** The same normalisation on new series (predict), with the statistics kept from training. */
export function normalizeSplit(split: Split, mode: Normalization, stats?: FeatureStats): Split {
  if (mode === 'series') return perSeries(split);
  if (mode === 'feature') {
    if (!stats) throw new Error('feature normalisation needs the training statistics (trial.json)');
    return applyFeatureStats(split, stats);
  }
  return split;
}
