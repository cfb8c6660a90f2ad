import type { Split } from './types.js';
import type { CsvInput } from './csv.js';
import { parseLongCsv } from './csv-long.js';
import { parseUcrCsv } from './csv-ucr.js';

/** How a CSV file (text or a stream) of each `dataset.format` is read; `file` names it in error messages. */
export type FormatParser = (input: CsvInput, opts: { file: string; classes: number }) => Promise<Split>;

/** The dataset formats a spec may name: a new format is one parser file plus one line here. */
export const DATASET_FORMATS = {
  /** label,t0,t1,...: one univariate series per line (the UCR archive's layout) */
  ucr: parseUcrCsv,
  /** sample,t,label,f0,f1,...: one time step per line, any number of features */
  long: parseLongCsv,
} as const satisfies Record<string, FormatParser>;

export type DatasetFormat = keyof typeof DATASET_FORMATS;
export const FORMAT_NAMES = Object.keys(DATASET_FORMATS) as [DatasetFormat, ...DatasetFormat[]];
