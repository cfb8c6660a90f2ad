import { Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
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

/** CSV text, or a stream of it (a file being read): parsed as it arrives, never held whole. */
export type CsvInput = string | Readable;

/**
 * Longest series a sample may have: the time steps of one sample times its features. Beyond
 * this no trial could train (one sample's activations alone would fill a wasm instance); the
 * header says so before any row is read.
 */
export const MAX_SAMPLE_VALUES = 1_000_000;
export const MAX_TIMESTEPS = 100_000;

/** Refuses shapes no trial can train, naming the limit. */
export function checkSampleShape(timesteps: number, features: number, file: string, line: number): void {
  if (timesteps > MAX_TIMESTEPS) {
    throw new DatasetError(
      file,
      line,
      `samples have ${timesteps.toLocaleString('en-US')} time steps: at most ${MAX_TIMESTEPS.toLocaleString('en-US')} are supported (downsample or window the series)`,
    );
  }
  if (timesteps * features > MAX_SAMPLE_VALUES) {
    throw new DatasetError(
      file,
      line,
      `samples have ${timesteps.toLocaleString('en-US')} time steps x ${features.toLocaleString('en-US')} features: at most ${MAX_SAMPLE_VALUES.toLocaleString('en-US')} values per sample are supported`,
    );
  }
}

/**
 * Reads CSV row by row with csv-parse's streaming API, keeping line numbers for error messages:
 * `onHeader` gets the first row, `onRow` every data row. A trailing comma on every line (an
 * empty last column, as some exporters write) is dropped; an empty cell anywhere else is data.
 */
export async function readCsv(input: CsvInput, file: string, on: { header(row: CsvRow): void; row(row: CsvRow): void }): Promise<void> {
  const source = typeof input === 'string' ? Readable.from([input]) : input;
  const parser = parse({
    info: true,
    bom: true,
    trim: true,
    skip_empty_lines: true,
    // ragged rows are reported by the loaders, with a clearer message
    relax_column_count: true,
  });
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let header: CsvRow | undefined;
  let width = 0;
  let rows = 0;
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const row = { cells: r.record, line: r.info.lines };
      if (header === undefined) {
        if (row.cells.length > 1 && row.cells[row.cells.length - 1] === '') row.cells.pop();
        header = row;
        width = row.cells.length;
        on.header(row);
        continue;
      }
      if (row.cells.length === width + 1 && row.cells[width] === '') row.cells.pop();
      rows++;
      on.row(row);
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const e = err as Error & { lines?: unknown };
    const line = typeof e.lines === 'number' ? e.lines : undefined;
    throw new DatasetError(file, line, `not valid CSV (${e.message}); check quotes and separators`);
  } finally {
    source.destroy();
  }
  if (!header) throw new DatasetError(file, 1, 'the file is empty: expected a header line and one row per sample');
  if (rows === 0) {
    throw new DatasetError(file, header.line, 'the file has a header but no data rows: add at least one sample');
  }
}

/** A Float32Array that grows as values arrive (a file's values, without an array of boxed numbers). */
export class FloatBuffer {
  private data = new Float32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** The values, trimmed to their length. */
  toArray(): Float32Array {
    return this.data.slice(0, this.length);
  }
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
    throw new DatasetError(file, line, `column ${column === '' ? '(unnamed)' : column} is empty: fill in a finite number`);
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

/**
 * Reads the label column. Labels are class indices 0..k-1; a row whose label is not one (empty,
 * negative, fractional, NaN, text, beyond `classes`) is reported once the file is read, with its
 * line and the labels the file does use, so the message says what would have been right.
 */
export class LabelReader {
  private bad: { cell: string; line: number; index: boolean } | undefined;
  /** the largest class index seen, also past `classes` */
  private largest = -1;
  private readonly seen = new Set<number>();

  constructor(
    private readonly classes: number,
    private readonly file: string,
  ) {}

  /** The label of this row, or -1 (reported by `check`) when it is none. */
  read(cell: string, line: number): number {
    const value = Number(cell);
    const index = cell !== '' && Number.isInteger(value) && value >= 0;
    if (index && value < this.classes) {
      this.seen.add(value);
      return value;
    }
    if (index) this.largest = Math.max(this.largest, value);
    this.bad ??= { cell, line, index };
    return -1;
  }

  /** Throws for the first bad label, naming its line and the labels the rest of the file has. */
  check(): void {
    if (!this.bad) return;
    const { cell, line, index } = this.bad;
    const labels = [...this.seen].sort((a, b) => a - b);
    const listed = labels.length > 10 ? `${labels.slice(0, 10).join(', ')}, ...` : labels.join(', ');
    const range = this.classes === 2 ? '0 or 1' : `0..${this.classes - 1}`;
    if (index) {
      // A class index past the task's classes: say which task, and what the file holds.
      const task = this.classes === 2 ? 'a binary task' : `a task of at most ${this.classes} classes`;
      throw new DatasetError(
        this.file,
        line,
        `label ${cell} does not fit ${task}: labels must be ${range}; this file has labels up to ${this.largest}`,
      );
    }
    const shown = cell === '' ? 'the label is empty' : `label "${cell}" is not a class`;
    const allowed =
      labels.length === 0
        ? `no row has a valid label: labels are the class indices 0..k-1 (0 and 1 for a binary task)`
        : `labels are class indices and this file's are ${listed}`;
    throw new DatasetError(this.file, line, `${shown}: ${allowed}`);
  }
}

function abbreviate(cells: string[]): string {
  const shown = cells.slice(0, 5).join(',');
  return cells.length > 5 ? `${shown},...` : shown;
}
