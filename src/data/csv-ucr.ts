import { z } from 'zod';
import type { Split } from './types.js';
import { checkColumnCount, checkHeader, parseLabel, parseValue, readCsv, type ParseOptions } from './csv.js';

const UcrHeaderSchema = z.tuple(
  [
    z.literal('label', { error: 'the first column must be "label"' }),
    z.string({ error: 'there must be at least one time-step column after "label"' }),
  ],
  z.string(),
);

/** Parses `label,t0,...,t{T-1}` CSV text (one univariate sample per row) into a Split. */
export function parseUcrCsv(text: string, opts: ParseOptions): Split {
  const { file, classes } = opts;
  const { header, rows } = readCsv(text, file);
  const hint = header.cells[0] === 'sample' ? ' (this looks like a long-format file: set format: long)' : '';
  checkHeader(UcrHeaderSchema, header, file, `"label,t0,t1,...,t{T-1}" (one column per time step)${hint}`);
  const columns = header.cells;
  const timesteps = columns.length - 1;
  const n = rows.length;
  const x = new Float32Array(n * timesteps);
  const y = new Float32Array(n);
  rows.forEach((row, i) => {
    checkColumnCount(row, header, file, 'a label and one value per time step');
    const cells = row.cells;
    y[i] = parseLabel(cells[0]!, classes, file, row.line);
    const offset = i * timesteps;
    for (let t = 0; t < timesteps; t++) {
      x[offset + t] = parseValue(cells[t + 1]!, file, row.line, columns[t + 1]!);
    }
  });
  return { n, timesteps, features: 1, x, y };
}
