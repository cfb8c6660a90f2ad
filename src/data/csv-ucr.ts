import { z } from 'zod';
import type { Split } from './types.js';
import {
  FloatBuffer,
  LabelReader,
  checkColumnCount,
  checkHeader,
  checkSampleShape,
  parseValue,
  readCsv,
  type CsvInput,
  type CsvRow,
  type ParseOptions,
} from './csv.js';

const UcrHeaderSchema = z.tuple(
  [
    z.literal('label', { error: 'the first column must be "label"' }),
    z.string({ error: 'there must be at least one time-step column after "label"' }),
  ],
  z.string(),
);

/** Parses `label,t0,...,t{T-1}` CSV (one univariate sample per row), row by row, into a Split. */
export async function parseUcrCsv(input: CsvInput, opts: ParseOptions): Promise<Split> {
  const { file, classes } = opts;
  let header: CsvRow | undefined;
  let timesteps = 0;
  const x = new FloatBuffer();
  const y = new FloatBuffer();
  const labels = new LabelReader(classes, file);
  await readCsv(input, file, {
    header(row) {
      header = row;
      timesteps = row.cells.length - 1;
      checkSampleShape(timesteps, 1, file, row.line);
      const hint = row.cells[0] === 'sample' ? ' (this looks like a long-format file: set format: long)' : '';
      checkHeader(UcrHeaderSchema, row, file, `"label,t0,t1,...,t{T-1}" (one column per time step)${hint}`);
    },
    row(row) {
      checkColumnCount(row, header!, file, 'a label and one value per time step');
      const cells = row.cells;
      y.push(labels.read(cells[0]!, row.line));
      for (let t = 0; t < timesteps; t++) {
        x.push(parseValue(cells[t + 1]!, file, row.line, header!.cells[t + 1]!));
      }
    },
  });
  labels.check();
  return { n: y.length, timesteps, features: 1, x: x.toArray(), y: y.toArray() };
}
