import { UserError } from '../util/errors.js';

/**
 * A problem with a dataset file. The message names the file and, where known, the 1-based
 * line: `GunPoint/train.csv line 7: value "abc" in column t3 is not a finite number`.
 * It is a UserError, so the CLI prints it alone without a stack trace.
 */
export class DatasetError extends UserError {
  override name = 'DatasetError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file} line ${line}: ${detail}`);
  }
}
