import { z } from 'zod';
import type { Split } from './types.js';
import { DatasetError } from '../util/errors.js';
import {
  FloatBuffer,
  LabelReader,
  checkColumnCount,
  checkHeader,
  checkSampleShape,
  parseInteger,
  parseValue,
  readCsv,
  type CsvInput,
  type CsvRow,
  type ParseOptions,
} from './csv.js';

const LongHeaderSchema = z.tuple(
  [
    z.literal('sample', { error: 'the first column must be "sample"' }),
    z.literal('t', { error: 'the second column must be "t"' }),
    z.literal('label', { error: 'the third column must be "label"' }),
    z.string({ error: 'there must be at least one feature column after "label"' }),
  ],
  z.string(),
);

interface OpenSample {
  id: string;
  label: number;
  firstLine: number;
  lastLine: number;
  steps: number;
}

/**
 * Parses long-format CSV text (`sample,t,label,f0,...`, one row per sample and time step) into a
 * Split. The rows of a sample must be contiguous, with time steps 0..T-1 in order.
 */
export async function parseLongCsv(input: CsvInput, opts: ParseOptions): Promise<Split> {
  const { file, classes } = opts;
  let header: CsvRow | undefined;
  let columns: string[] = [];
  let features = 0;

  const values = new FloatBuffer();
  const labels = new FloatBuffer();
  const labelReader = new LabelReader(classes, file);
  const finished = new Map<string, number>(); // sample id -> its last line
  let timesteps: number | undefined;
  let firstSample: OpenSample | undefined;
  let current: OpenSample | undefined;

  const close = (s: OpenSample): void => {
    finished.set(s.id, s.lastLine);
    labels.push(s.label);
    if (timesteps === undefined) {
      timesteps = s.steps;
      firstSample = s;
    } else if (s.steps !== timesteps) {
      throw new DatasetError(
        file,
        s.lastLine,
        `sample ${s.id} has ${s.steps} time steps (lines ${s.firstLine}-${s.lastLine}) but sample ` +
          `${firstSample!.id} has ${timesteps}: every sample needs the same number of time steps`,
      );
    }
  };

  const onRow = (row: CsvRow): void => {
    checkColumnCount(row, header!, file, 'sample, t, label and one value per feature');
    const id = sampleId(row, file);
    if (current?.id !== id) {
      if (current) close(current);
      const endedAt = finished.get(id);
      if (endedAt !== undefined) {
        throw new DatasetError(
          file,
          row.line,
          `rows of sample ${id} are not contiguous (it already ended on line ${endedAt}): keep all rows of a sample together`,
        );
      }
      const label = labelReader.read(row.cells[2]!, row.line);
      current = { id, label, firstLine: row.line, lastLine: row.line, steps: 0 };
    } else {
      const label = labelReader.read(row.cells[2]!, row.line);
      if (label !== current.label) {
        labelReader.check();
        throw new DatasetError(
          file,
          row.line,
          `label ${label} of sample ${id} differs from its label ${current.label} on line ${current.firstLine}: a sample has one label`,
        );
      }
    }
    const t = parseInteger(row.cells[1]!, file, row.line, 't');
    if (t !== current.steps) {
      const why =
        t < current.steps ? `time step ${t} of sample ${id} appears twice or out of order` : `time step ${t} of sample ${id} skips ahead`;
      throw new DatasetError(
        file,
        row.line,
        `${why}: expected t = ${current.steps}; the rows of a sample must have t = 0, 1, 2, ... in order`,
      );
    }
    for (let f = 0; f < features; f++) {
      values.push(parseValue(row.cells[f + 3]!, file, row.line, columns[f + 3]!));
    }
    current.steps++;
    current.lastLine = row.line;
    if (current.steps > (timesteps ?? 0)) checkSampleShape(current.steps, features, file, row.line);
  };

  await readCsv(input, file, {
    header(row) {
      header = row;
      columns = row.cells;
      features = columns.length - 3;
      checkSampleShape(1, features, file, row.line);
      checkHeader(LongHeaderSchema, row, file, '"sample,t,label,f0,f1,..." (one column per feature)');
    },
    row: onRow,
  });
  close(current!);
  labelReader.check();

  return {
    n: labels.length,
    timesteps: timesteps!,
    features,
    x: values.toArray(),
    y: labels.toArray(),
  };
}

function sampleId(row: CsvRow, file: string): string {
  const id = row.cells[0]!;
  if (id === '') throw new DatasetError(file, row.line, 'column sample is empty: give every row its sample id');
  return id;
}
