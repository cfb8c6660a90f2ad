import { parse } from 'csv-parse/sync';
import type { Info } from 'csv-parse/sync';
import type { z } from 'zod';
import { DatasetError } from '../util/errors.js';

export interface CsvRow {
  cells: string[];
  /** 1-based line where the row ends in the file */
  line: number;
}

/** Parsing options shared by the CSV loaders. */
export interface ParseOptions {
  /** name used in error messages, e.g. `GunPoint/train.csv` */
  file: string;
  /** number of classes of the task; labels must be integers in [0, classes) */
  classes: number;
}

/** Splits CSV text into a header and data rows, keeping line numbers for error messages. */
export function readCsv(text: string, file: string): { header: CsvRow; rows: CsvRow[] } {
  let records: { record: string[]; info: Info }[];
  try {
    records = parse(text, {
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      // ragged rows are reported by the loaders, with a clearer message
      relax_column_count: true,
      // with `info` each record comes as { record, info }; the typings only know string[][]
    }) as unknown as { record: string[]; info: Info }[];
  } catch (err) {
    const e = err as Error & { lines?: unknown };
    const line = typeof e.lines === 'number' ? e.lines : undefined;
    throw new DatasetError(file, line, `not valid CSV (${e.message}); check quotes and separators`);
  }
  const [first, ...rest] = records;
  if (!first) throw new DatasetError(file, 1, 'the file is empty: expected a header line and one row per sample');
  if (rest.length === 0) {
    throw new DatasetError(file, first.info.lines, 'the file has a header but no data rows: add at least one sample');
  }
  return {
    header: { cells: first.record, line: first.info.lines },
    rows: rest.map((r) => ({ cells: r.record, line: r.info.lines })),
  };
}

/** Checks the header against a zod schema, reporting its issues on the header line. */
export function checkHeader(schema: z.ZodType, header: CsvRow, file: string, expected: string): void {
  const result = schema.safeParse(header.cells);
  if (!result.success) {
    const issues = result.error.issues.map((i) => i.message).join('; ');
    throw new DatasetError(file, header.line, `bad header "${abbreviate(header.cells)}": ${issues}; expected ${expected}`);
  }
}

export function checkColumnCount(row: CsvRow, header: CsvRow, file: string, what: string): void {
  if (row.cells.length !== header.cells.length) {
    throw new DatasetError(
      file,
      row.line,
      `row has ${row.cells.length} columns but the header has ${header.cells.length}: every row needs ${what}`,
    );
  }
}

// Per-cell checks are hand-written rather than zod: they run once per value (100k+ per file).
export function parseValue(cell: string, file: string, line: number, column: string): number {
  if (cell === '') {
    throw new DatasetError(file, line, `column ${column} is empty: fill in a finite number`);
  }
  const value = Number(cell);
  if (!Number.isFinite(value)) {
    throw new DatasetError(
      file,
      line,
      `value "${cell}" in column ${column} is not a finite number: replace it (NaN, Infinity and text are not allowed)`,
    );
  }
  // Values are trained as float32: beyond ±3.4e38 they would silently become Infinity.
  if (!Number.isFinite(Math.fround(value))) {
    throw new DatasetError(file, line, `value "${cell}" in column ${column} is outside the float32 range (±3.4e38): rescale the data`);
  }
  return value;
}

export function parseInteger(cell: string, file: string, line: number, column: string): number {
  const value = parseValue(cell, file, line, column);
  if (!Number.isInteger(value) || value < 0) {
    throw new DatasetError(file, line, `value "${cell}" in column ${column} must be a whole number >= 0`);
  }
  return value;
}

export function parseLabel(cell: string, classes: number, file: string, line: number): number {
  const value = Number(cell);
  if (cell !== '' && Number.isInteger(value) && value >= 0 && value < classes) return value;
  const allowed =
    classes === 2
      ? 'does not fit a binary task: labels must be 0 or 1'
      : `does not fit a ${classes}-class task: labels must be whole numbers from 0 to ${classes - 1}`;
  const shown = cell === '' ? 'label (empty)' : `label ${cell}`;
  throw new DatasetError(file, line, `${shown} ${allowed}`);
}

function abbreviate(cells: string[]): string {
  const shown = cells.slice(0, 5).join(',');
  return cells.length > 5 ? `${shown},...` : shown;
}
