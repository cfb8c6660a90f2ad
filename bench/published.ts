/**
 * The shared UCR/UEA datasets next to the repository (../shared/datasets) and the published test
 * accuracies of its README, parsed from the README's two tables so that the benchmarks compare
 * against exactly what a user reads there.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './common.js';

export const DATASETS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'datasets');

export interface SharedDataset {
  name: string;
  classes: number;
  timesteps: number;
  features: number;
  train: number;
  /** rows of this copy's test file */
  test: number;
  format: 'ucr' | 'long';
  trainFile: string;
  testFile: string;
}

/** Published accuracies by column name of the README (e.g. `1-NN Euclidean`, `MiniRocket`). */
export type Published = Record<string, number>;

/** The columns the benchmarks compare against, as the README names them. */
export const ED = '1-NN Euclidean';
export const DTW = '1-NN DTW (learned window)';
export const MINIROCKET = 'MiniRocket';

function tableRows(lines: string[], headerStart: string): { names: string[]; rows: string[][] } {
  const at = lines.findIndex((l) => l.startsWith(headerStart));
  if (at < 0) throw new Error(`${DATASETS_DIR}/README.md has no table starting "${headerStart}"`);
  const cells = (l: string) =>
    l
      .split('|')
      .slice(1, -1)
      .map((s) => s.trim());
  const names = cells(lines[at]!).slice(1);
  const rows: string[][] = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(cells(line));
  }
  return { names, rows };
}

function readme(): string[] {
  const file = path.join(DATASETS_DIR, 'README.md');
  if (!existsSync(file)) {
    console.error(`this benchmark needs ${DATASETS_DIR} (the UCR/UEA datasets next to the repo), with its README.md`);
    process.exit(2);
  }
  return readFileSync(file, 'utf8').split('\n');
}

/** Every dataset of the README's shape table, in its order. */
export function sharedDatasets(): SharedDataset[] {
  const { rows } = tableRows(readme(), '| dataset | classes | T | F |');
  return rows.map((c) => {
    const [name, classes, T, F, train, test] = c as [string, string, string, string, string, string];
    const features = Number(F);
    const dir = path.join(DATASETS_DIR, name);
    return {
      name,
      classes: Number(classes),
      timesteps: Number(T),
      features,
      train: Number(train),
      test: parseInt(test, 10),
      format: features > 1 ? 'long' : 'ucr',
      trainFile: path.join(dir, 'train.csv'),
      testFile: path.join(dir, 'test.csv'),
    };
  });
}

/** The published test accuracies per dataset ("—" cells left out). */
export function publishedAccuracies(): Map<string, Published> {
  const { names, rows } = tableRows(readme(), '| dataset | 1-NN');
  const out = new Map<string, Published>();
  for (const c of rows) {
    const row: Published = {};
    names.forEach((n, i) => {
      const v = Number(c[i + 1]);
      if (c[i + 1] !== '—' && Number.isFinite(v)) row[n] = v;
    });
    out.set(c[0]!, row);
  }
  return out;
}

/** `--datasets a,b` checked against the shared sets (all of them when absent). */
export function chooseDatasets(arg: string | undefined): SharedDataset[] {
  const all = sharedDatasets();
  if (!arg) return all;
  return arg.split(',').map((raw) => {
    const name = raw.trim();
    const found = all.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new Error(`unknown dataset ${name} (known: ${all.map((d) => d.name).join(', ')})`);
    return found;
  });
}
