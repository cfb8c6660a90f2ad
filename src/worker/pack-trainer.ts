/**
 * The trainer process of a packing worker (`worker --pack K`, `--engine gpu`): one long-lived
 * process that trains up to K jobs at once, so that an engine that packs concurrent trainings
 * (the gpu engine gathers the K `runTrial` calls of this process into one dispatch per step) sees
 * them together. Each job runs the sandboxed processor's `trainJob`; what it does to its BullMQ
 * job (progress, hand back, postpone) is asked of the worker (pack-host.ts), which holds the job
 * and its lock. A failed trial fails alone: this process keeps training the others.
 *
 * processor.ts makes this process exit when the worker's channel closes (the worker died).
 */
import { trainJob, type TrainerJob } from './processor.js';
import { HostMessageSchema, TrainerMessageSchema, sentError, type JobCall, type PackJob, type TrainerMessage } from './pack-protocol.js';
import { formatZodIssues } from '../util/errors.js';
import { log } from '../util/logger.js';

const runs = new Map<number, AbortController>();
const requests = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
let nextRequest = 0;

function send(message: TrainerMessage): void {
  // What is sent is checked as what is received: a bad message is caught at its source.
  process.send?.(TrainerMessageSchema.parse(message));
}

/** Asks the worker to act on the job of run `runId`; settles when the worker answered. */
function ask(runId: number, request: JobCall): Promise<void> {
  const requestId = nextRequest++;
  return new Promise((resolve, reject) => {
    requests.set(requestId, { resolve, reject });
    send({ type: 'request', requestId, runId, request });
  });
}

/** The job as `trainJob` sees it; the worker uses its own token for the real job. */
function shim(runId: number, job: PackJob): TrainerJob {
  return {
    id: job.id,
    name: job.name,
    data: job.data,
    attemptsStarted: job.attemptsStarted,
    updateProgress: (progress) => ask(runId, { call: 'updateProgress', progress: JSON.parse(JSON.stringify(progress)) }),
    moveToWait: () => ask(runId, { call: 'moveToWait' }),
    moveToDelayed: (timestamp) => ask(runId, { call: 'moveToDelayed', timestamp }),
  };
}

async function run(runId: number, job: PackJob, token: string | undefined): Promise<void> {
  const controller = new AbortController();
  runs.set(runId, controller);
  try {
    const value = await trainJob(shim(runId, job), token, controller.signal, { retireAfterFailure: false });
    send({ type: 'completed', runId, value });
  } catch (err) {
    send({ type: 'failed', runId, error: sentError(err) });
  } finally {
    runs.delete(runId);
  }
}

process.on('message', (raw: unknown) => {
  const parsed = HostMessageSchema.safeParse(raw);
  if (!parsed.success) {
    log(
      'trainer.error',
      { pid: process.pid, reason: `ignored a message from the worker: ${formatZodIssues(parsed.error)}` },
      process.stderr,
    );
    return;
  }
  const message = parsed.data;
  if (message.type === 'start') void run(message.runId, message.job, message.token);
  else if (message.type === 'cancel') runs.get(message.runId)?.abort(message.reason);
  else {
    const request = requests.get(message.requestId);
    requests.delete(message.requestId);
    if (message.error === undefined) request?.resolve();
    else request?.reject(new Error(message.error));
  }
});

send({ type: 'ready', pid: process.pid });
