import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, Split } from './types.js';
import type { DatasetSpec } from './dataset-spec.js';
import { DATASET_FORMATS, type DatasetFormat } from './formats.js';
import { DatasetError } from '../util/errors.js';

export interface LoadOptions {
  /** folder that relative paths in the spec are resolved against (the spec file's folder) */
  baseDir: string;
  /** number of classes of the task; 2 for the binary classifiers */
  classes: number;
}

export interface DatasetFile {
  /** absolute path */
  path: string;
  text: string;
}

/** Reads the train (and test) CSV text named by a spec. */
export async function readDatasetFiles(
  spec: Pick<DatasetSpec, 'train' | 'test'>,
  baseDir: string,
): Promise<{ train: DatasetFile; test?: DatasetFile }> {
  const train = await readDatasetFile(path.resolve(baseDir, spec.train), 'train');
  if (spec.test === undefined) return { train };
  return { train, test: await readDatasetFile(path.resolve(baseDir, spec.test), 'test') };
}

async function readDatasetFile(file: string, role: 'train' | 'test'): Promise<DatasetFile> {
  try {
    return { path: file, text: await readFile(file, 'utf8') };
  } catch (err) {
    const reason = (err as Error).message;
    throw new DatasetError(file, undefined, `cannot read the ${role} file (${reason}); check dataset.${role} in the spec`);
  }
}

/** Parses CSV text in the given format; `file` is the name used in error messages. */
export function parseDatasetCsv(text: string, format: DatasetFormat, opts: { file: string; classes: number }): Split {
  return DATASET_FORMATS[format](text, opts);
}

/** Loads and validates the dataset a spec names; train and test must have the same shape. */
export async function loadDataset(spec: DatasetSpec, opts: LoadOptions): Promise<Dataset> {
  if (!Number.isInteger(opts.classes) || opts.classes < 2) {
    throw new RangeError(`classes must be a whole number >= 2, got ${opts.classes}`);
  }
  const files = await readDatasetFiles(spec, opts.baseDir);
  const parse = (f: DatasetFile): Split => parseDatasetCsv(f.text, spec.format, { file: displayName(f.path), classes: opts.classes });
  const train = parse(files.train);
  if (!files.test) return { train };
  const test = parse(files.test);
  if (test.timesteps !== train.timesteps || test.features !== train.features) {
    throw new DatasetError(
      displayName(files.test.path),
      undefined,
      `samples have ${test.timesteps} time steps x ${test.features} features but the train file ` +
        `${displayName(files.train.path)} has ${train.timesteps} x ${train.features}: train and test must have the same shape`,
    );
  }
  return { train, test };
}

/** `GunPoint/train.csv`: short enough for a message, still says which dataset. */
export function displayName(file: string): string {
  return path.join(path.basename(path.dirname(file)), path.basename(file));
}
