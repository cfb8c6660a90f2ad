/**
 * Runs one importance fit (src/analysis/importance.ts) in a worker thread, so that the dashboard's
 * event loop keeps serving pages and events during the fit (up to a second of CPU).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parameterImportance } from '../analysis/importance.js';
import type { ImportanceJob } from './importance.js';

const job = workerData as ImportanceJob;
parentPort!.postMessage(parameterImportance(job.rows, job.metric, job.parameters, { total: job.total }));
