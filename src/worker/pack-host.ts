/**
 * The worker's side of its one pack trainer process (pack-trainer.ts): BullMQ calls `run` for
 * each job it takes (up to K at once); the job goes to the trainer over IPC, and what the trainer
 * asks of the job (progress, hand back, postpone) is done here on the real BullMQ job, whose lock
 * this process keeps renewing (its event loop never trains).
 *
 * The trainer is forked on the first job and kept. When it dies (crash, out of memory, killed),
 * every job it held fails with the reason (BullMQ retries it as its attempts allow) and the next
 * job gets a fresh trainer.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job } from 'bullmq';
import { formatZodIssues } from '../util/errors.js';
import { log } from '../util/logger.js';
import { HostMessageSchema, TrainerMessageSchema, receivedError, type HostMessage, type JobCall, type PackJob } from './pack-protocol.js';
import type { ProcessorReturn } from './processor.js';

const trainerFile = fileURLToPath(new URL('./pack-trainer.js', import.meta.url));

/** How long a stopped trainer has to exit on SIGTERM before it is killed outright. */
const STOP_KILL_MS = 3_000;

export interface PackTrainerOptions {
  /** the trainer's environment (trainerEnv: no Redis password in it) */
  env: NodeJS.ProcessEnv;
  /** fork's stdio (trainerLogin: the password descriptor); default pipes, copied to this process's output */
  stdio?: Array<'pipe' | 'ipc' | number>;
}

interface Run {
  job: Job;
  token: string | undefined;
  resolve: (value: ProcessorReturn) => void;
  reject: (err: Error) => void;
}

interface Trainer {
  process: ChildProcess;
  ready: Promise<void>;
  runs: Map<number, Run>;
}

export class PackTrainer {
  private trainer: Trainer | undefined;
  private nextRun = 0;
  private stopping = false;

  constructor(private readonly options: PackTrainerOptions) {}

  /** Trains `job` in the trainer process: BullMQ's processor function of a packing worker. */
  async run(job: Job, token: string | undefined, signal?: AbortSignal): Promise<ProcessorReturn> {
    if (this.stopping) {
      // taken in the moment the worker began to stop: straight back to the queue, attempts untouched
      await job.moveToWait(token);
      throw handedBack('the worker is stopping');
    }
    const trainer = (this.trainer ??= this.start());
    const runId = this.nextRun++;
    const done = new Promise<ProcessorReturn>((resolve, reject) => trainer.runs.set(runId, { job, token, resolve, reject }));
    // a trainer that dies before it is ready fails this run twice (here and through `ready`): one is awaited
    done.catch(() => undefined);
    const cancel = () => this.send(trainer, { type: 'cancel', runId, reason: String(signal?.reason ?? 'cancelled') });
    try {
      await trainer.ready;
      const packJob: PackJob = { id: job.id!, name: job.name, data: job.data, attemptsStarted: job.attemptsStarted };
      this.send(trainer, { type: 'start', runId, job: packJob, ...(token ? { token } : {}) });
      // the trainer knows the run from here on: a cancel (Worker.cancelJob) reaches it
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
      return await done;
    } finally {
      signal?.removeEventListener('abort', cancel);
      trainer.runs.delete(runId);
    }
  }

  /**
   * Stops the trainer (SIGTERM, then SIGKILL) so that no trial keeps training after the worker
   * handed its jobs back; the runs still in flight end as handed back (BullMQ leaves their jobs alone).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const trainer = this.trainer;
    if (!trainer) return;
    const child = trainer.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_KILL_MS);
    await exited;
    clearTimeout(timer);
  }

  private start(): Trainer {
    const { stdio } = this.options;
    const child = fork(trainerFile, [], {
      env: this.options.env,
      // node's own flags (a loader such as tsx), without debugger ports a second process cannot share
      execArgv: process.execArgv.filter((arg) => !arg.startsWith('--inspect')),
      stdio: stdio ?? ['pipe', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.pipe(process.stdout, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
    let markReady: () => void = () => undefined;
    let markDead: (err: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => ([markReady, markDead] = [resolve, reject]));
    // a run that awaits `ready` sees the rejection; with no run waiting it must not go unhandled
    ready.catch(() => undefined);
    const trainer: Trainer = { process: child, ready, runs: new Map() };
    child.on('message', (raw: unknown) => {
      const parsed = TrainerMessageSchema.safeParse(raw);
      if (!parsed.success) {
        log('worker.error', { reason: `ignored a message from trainer ${child.pid}: ${formatZodIssues(parsed.error)}` }, process.stderr);
        return;
      }
      const message = parsed.data;
      if (message.type === 'ready') markReady();
      else if (message.type === 'request') void this.answer(trainer, message.requestId, trainer.runs.get(message.runId), message.request);
      else if (message.type === 'completed') trainer.runs.get(message.runId)?.resolve(message.value);
      else trainer.runs.get(message.runId)?.reject(receivedError(message.error));
    });
    const fail = (reason: string) => {
      if (this.trainer === trainer) this.trainer = undefined;
      markDead(new Error(reason));
      for (const run of trainer.runs.values()) run.reject(this.stopping ? handedBack(reason) : new Error(reason));
      trainer.runs.clear();
    };
    child.on('error', (err) => {
      log('worker.error', { reason: `trainer ${child.pid ?? '(not started)'}: ${err.message}` }, process.stderr);
      // a fork that never started has no exit to wait for
      if (child.pid === undefined) fail(`the pack trainer process could not start: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      if (!this.stopping) log('trainer.exited', { pid: child.pid, code, signal, inFlight: trainer.runs.size }, process.stderr);
      fail(`the pack trainer process ${child.pid} ${how} while training ${trainer.runs.size} trial(s), this one among them`);
    });
    return trainer;
  }

  /** Does what the trainer asks of a run's job, and tells it how that went. */
  private async answer(trainer: Trainer, requestId: number, run: Run | undefined, request: JobCall): Promise<void> {
    let error: string | undefined;
    try {
      if (!run) throw new Error('no such run in flight');
      if (request.call === 'updateProgress') await run.job.updateProgress(request.progress);
      else if (request.call === 'moveToWait') await run.job.moveToWait(run.token);
      else await run.job.moveToDelayed(request.timestamp, run.token);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    this.send(trainer, { type: 'reply', requestId, ...(error !== undefined ? { error } : {}) });
  }

  private send(trainer: Trainer, message: HostMessage): void {
    const child = trainer.process;
    if (!child.connected) return; // it is gone: its exit fails its runs
    child.send(HostMessageSchema.parse(message), (err) => {
      if (err) log('worker.error', { reason: `could not reach trainer ${child.pid}: ${err.message}` }, process.stderr);
    });
  }
}

/** BullMQ leaves a job alone when its processor ends with a WaitingError: the worker already handed it back. */
function handedBack(reason: string): Error {
  return Object.assign(new Error(`handed back: ${reason}`), { name: 'WaitingError' });
}
