import os from 'node:os';

/** How results and logs name the process that trained a trial. */
export function workerName(): string {
  return `${os.hostname()}:${process.pid}`;
}
