import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { writeSyntheticUcr } from '../data/synthetic.js';
import type { SweepSpecInput } from '../definition/sweep-spec.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED_GUNPOINT = path.resolve(repoRoot, '..', 'shared', 'datasets', 'GunPoint');

/**
 * The demo sweep: with and without skip connections, 2 seeds each (4 trials) on GunPoint when the shared
 * datasets are next to the repo, else on a generated task. Written as a spec file, as a user
 * would; everything else is a default (5-fold cross-validation of the train file, refit, ...),
 * with a shorter epoch budget so the demo takes about a minute.
 */
export async function writeDemoSpec(dir: string): Promise<{ file: string; dataset: string }> {
  await mkdir(dir, { recursive: true });
  let train = path.join(SHARED_GUNPOINT, 'train.csv');
  let test = path.join(SHARED_GUNPOINT, 'test.csv');
  let dataset = 'GunPoint (../shared/datasets)';
  if (!existsSync(train)) {
    ({ train, test } = await writeSyntheticUcr(dir, { trainSize: 80, testSize: 120, timesteps: 60, seed: 7 }));
    dataset = `a generated sine/bump task in ${dir} (../shared/datasets/GunPoint not found)`;
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const spec: SweepSpecInput = {
    name: `demo-${stamp}`,
    dataset: { train, test, format: 'ucr' },
    method: 'grid',
    parameters: {
      depth: [1],
      width: [32],
      inputProjection: [true],
      residual: [true, false],
      epochs: [150],
    },
    metric: { name: 'valAuc', goal: 'maximize' },
    seeds: [0, 1],
  };
  const file = path.join(dir, 'demo-sweep.yaml');
  await writeFile(file, stringify(spec));
  return { file, dataset };
}
