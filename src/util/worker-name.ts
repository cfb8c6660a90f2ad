import os from 'node:os';

/**
 * How results and logs name the worker that trained a trial: `host:pid` of the worker
 * process (its sandboxed trainers inherit the name through LSW_WORKER_NAME).
 */
export function workerName(): string {
  return process.env.LSW_WORKER_NAME || `${os.hostname()}:${process.pid}`;
}
