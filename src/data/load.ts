import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { Dataset, Split } from './types.js';
import type { DatasetSpec } from './dataset-spec.js';
import type { CsvInput } from './csv.js';
import { DATASET_FORMATS, type DatasetFormat } from './formats.js';
import { DEFAULT_MAX_DATASET_MB } from './limits.js';
import { DatasetError } from '../util/errors.js';

export interface LoadOptions {
  /** folder that relative paths in the spec are resolved against (the spec file's folder) */
  baseDir: string;
  /** number of classes of the task; 2 for the binary classifiers */
  classes: number;
  /** largest file accepted, in MB (default DEFAULT_MAX_DATASET_MB) */
  maxDatasetMb?: number;
}

/**
 * Opens a dataset file as a stream, after checking that it is a regular file within the size
 * limit: a FIFO would block the read forever, a device such as /dev/zero never ends, and a file
 * beyond the limit is refused before a byte is parsed. The stream also stops at the limit, for a
 * file that grows while it is read.
 */
export async function openDatasetFile(file: string, role: string, maxDatasetMb: number): Promise<Readable> {
  const setting = `raise --max-dataset-mb (env LSW_MAX_DATASET_MB, now ${maxDatasetMb}) if it is meant`;
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new DatasetError(file, undefined, `cannot read the ${role} file (${(err as Error).message}); check dataset.${role} in the spec`);
  }
  if (!info.isFile()) {
    const kind = info.isFIFO()
      ? 'a FIFO'
      : info.isDirectory()
        ? 'a directory'
        : info.isCharacterDevice() || info.isBlockDevice()
          ? 'a device'
          : 'a socket';
    throw new DatasetError(file, undefined, `the ${role} file is ${kind}, not a regular file: give the path of a CSV file`);
  }
  const maxBytes = maxDatasetMb * 1024 * 1024;
  if (info.size > maxBytes) {
    throw new DatasetError(file, undefined, `the ${role} file has ${mb(info.size)} MB, more than the ${maxDatasetMb} MB limit: ${setting}`);
  }
  // Counted as it is read, for a file that grows past the limit meanwhile.
  let read = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      read += chunk.length;
      if (read > maxBytes) {
        done(new DatasetError(file, undefined, `the ${role} file grew past the ${maxDatasetMb} MB limit while it was read: ${setting}`));
      } else done(null, chunk);
    },
  });
  const stream = createReadStream(file, { end: maxBytes });
  stream.on('error', (err) => limit.destroy(err));
  limit.on('close', () => stream.destroy());
  return stream.pipe(limit);
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** Parses CSV (text or a stream) in the given format; `file` is the name used in error messages. */
export function parseDatasetCsv(input: CsvInput, format: DatasetFormat, opts: { file: string; classes: number }): Promise<Split> {
  return DATASET_FORMATS[format](input, opts);
}

/** Loads and validates the dataset a spec names, streaming each file; train and test must have the same shape. */
export async function loadDataset(spec: DatasetSpec, opts: LoadOptions): Promise<Dataset> {
  if (!Number.isInteger(opts.classes) || opts.classes < 2) {
    throw new RangeError(`classes must be a whole number >= 2, got ${opts.classes}`);
  }
  const maxMb = opts.maxDatasetMb ?? DEFAULT_MAX_DATASET_MB;
  const trainPath = path.resolve(opts.baseDir, spec.train);
  const testPath = spec.test === undefined ? undefined : path.resolve(opts.baseDir, spec.test);
  // Both files are checked (kind, size) before either is parsed.
  const trainStream = await openDatasetFile(trainPath, 'train', maxMb);
  let testStream: Readable | undefined;
  try {
    testStream = testPath === undefined ? undefined : await openDatasetFile(testPath, 'test', maxMb);
  } catch (err) {
    trainStream.destroy();
    throw err;
  }
  const parse = (input: Readable, file: string): Promise<Split> =>
    parseDatasetCsv(input, spec.format, { file: displayName(file), classes: opts.classes });
  let train: Split;
  try {
    train = await parse(trainStream, trainPath);
  } catch (err) {
    testStream?.destroy();
    throw err;
  }
  if (!testStream || testPath === undefined) return { train };
  const test = await parse(testStream, testPath);
  if (test.timesteps !== train.timesteps || test.features !== train.features) {
    throw new DatasetError(
      displayName(testPath),
      undefined,
      `samples have ${test.timesteps} time steps x ${test.features} features but the train file ` +
        `${displayName(trainPath)} has ${train.timesteps} x ${train.features}: train and test must have the same shape`,
    );
  }
  return { train, test };
}

/** `GunPoint/train.csv`: short enough for a message, still says which dataset. */
export function displayName(file: string): string {
  return path.join(path.basename(path.dirname(file)), path.basename(file));
}
