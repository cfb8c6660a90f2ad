import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Split } from './types.js';
import { createRng, shuffleInPlace, type Rng } from '../util/rng.js';

export interface SyntheticOptions {
  n: number;
  timesteps: number;
  seed: number;
}

/**
 * A learnable binary task, balanced and z-normalised per series: class 0 is a noisy sine,
 * class 1 the same sine with a Gaussian bump added at a random place in the middle half.
 */
export function syntheticSplit(opts: SyntheticOptions): Split {
  return generate(opts.n, opts.timesteps, createRng(opts.seed));
}

/** Writes `train.csv` and `test.csv` (ucr format) under `dir`; returns their paths. */
export async function writeSyntheticUcr(
  dir: string,
  opts: { trainSize: number; testSize: number; timesteps: number; seed: number },
): Promise<{ train: string; test: string }> {
  const rng = createRng(opts.seed);
  const train = generate(opts.trainSize, opts.timesteps, rng);
  const test = generate(opts.testSize, opts.timesteps, rng);
  await mkdir(dir, { recursive: true });
  const paths = { train: path.join(dir, 'train.csv'), test: path.join(dir, 'test.csv') };
  await writeFile(paths.train, toUcrCsv(train));
  await writeFile(paths.test, toUcrCsv(test));
  return paths;
}

export function toUcrCsv(split: Split): string {
  const T = split.timesteps;
  const lines = [['label', ...Array.from({ length: T }, (_, t) => `t${t}`)].join(',')];
  for (let i = 0; i < split.n; i++) {
    const row = Array.from(split.x.subarray(i * T, (i + 1) * T), (v) => String(Math.round(v * 1e5) / 1e5));
    lines.push(`${split.y[i]},${row.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

function generate(n: number, timesteps: number, rng: Rng): Split {
  if (timesteps < 4) throw new RangeError(`synthetic series need at least 4 time steps, got ${timesteps}`);
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  shuffleInPlace(labels, rng);
  const x = new Float32Array(n * timesteps);
  const series = new Float64Array(timesteps);
  labels.forEach((label, i) => {
    const cycles = 1.5 + rng();
    const phase = rng() * 2 * Math.PI;
    const center = timesteps * (0.25 + 0.5 * rng());
    const width = Math.max(1, timesteps / 20);
    for (let t = 0; t < timesteps; t++) {
      const bump = label === 1 ? 3.5 * Math.exp(-0.5 * ((t - center) / width) ** 2) : 0;
      series[t] = Math.sin((2 * Math.PI * cycles * t) / timesteps + phase) + bump + 0.3 * gaussian(rng);
    }
    zNormalise(series);
    x.set(series, i * timesteps);
  });
  return { n, timesteps, features: 1, x, y: Float32Array.from(labels) };
}

function zNormalise(v: Float64Array): void {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i]! - mean) / sd;
}

function gaussian(rng: Rng): number {
  // Box-Muller; 1 - rng() avoids log(0)
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
