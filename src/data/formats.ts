import type { Split } from './types.js';
import type { CsvInput } from './csv.js';
import { parseLongCsv } from './csv-long.js';
import { parseUcrCsv } from './csv-ucr.js';
import type { DatasetFormat } from './format-names.js';

/** How a CSV file (text or a stream) of each `dataset.format` is read; `file` names it in error messages. */
export type FormatParser = (input: CsvInput, opts: { file: string; classes: number }) => Promise<Split>;

/** The dataset formats a spec may name: a new format is one parser file, one line here and its name in format-names.ts. */
export const DATASET_FORMATS = {
  /** label,t0,t1,...: one univariate series per line (the UCR archive's layout) */
  ucr: parseUcrCsv,
  /** sample,t,label,f0,f1,...: one time step per line, any number of features */
  long: parseLongCsv,
} as const satisfies Record<DatasetFormat, FormatParser>;

export { FORMAT_NAMES, type DatasetFormat } from './format-names.js';
