/**
 * The messages between a packing worker (pack-host.ts) and its one trainer process
 * (pack-trainer.ts), over Node's IPC channel. Both sides validate what they receive: a message
 * that does not parse is a bug or a foreign process on the channel, never acted upon.
 *
 * A run is one delivery of one job (`runId`, unique per trainer process; a job id can come back
 * while a stale copy of it is still in flight). The trainer asks the worker to act on the real
 * BullMQ job (`request`), which holds the lock, and the worker answers each request (`reply`).
 */
import { z } from 'zod';

const RunId = z.number().int().nonnegative();

/** What the trainer learns of a job: the fields `trainJob` reads; the payload is validated there. */
export const PackJobSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  data: z.unknown(),
  attemptsStarted: z.number().int().nonnegative(),
});
export type PackJob = z.infer<typeof PackJobSchema>;

export const HostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), runId: RunId, job: PackJobSchema, token: z.string().optional() }),
  /** BullMQ cancelled the job (Worker.cancelJob): training stops at its next epoch */
  z.object({ type: z.literal('cancel'), runId: RunId, reason: z.string().optional() }),
  z.object({ type: z.literal('reply'), requestId: RunId, error: z.string().optional() }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

/**
 * A job's progress (TrialProgress, BaselineProgress): a flat record. Null where a number was NaN
 * (valAuc of a one-class split): the channel speaks JSON, as Redis, where the progress goes, does.
 */
const ProgressSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]));

const JobCallSchema = z.discriminatedUnion('call', [
  z.object({ call: z.literal('updateProgress'), progress: ProgressSchema }),
  /** hands the job back to the queue, attempts untouched (a trainer that must not train it) */
  z.object({ call: z.literal('moveToWait') }),
  /** puts the job off until `timestamp` (Redis refused a write for lack of memory) */
  z.object({ call: z.literal('moveToDelayed'), timestamp: z.number().int().nonnegative() }),
]);
export type JobCall = z.infer<typeof JobCallSchema>;

/** A failure as it crosses the channel: BullMQ reads `name` (UnrecoverableError, DelayedError, WaitingError). */
export const SentErrorSchema = z.object({ name: z.string(), message: z.string(), stack: z.string().optional() });

export const TrainerMessageSchema = z.discriminatedUnion('type', [
  /** the trainer listens: runs may be sent */
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({ type: z.literal('request'), requestId: RunId, runId: RunId, request: JobCallSchema }),
  z.object({
    type: z.literal('completed'),
    runId: RunId,
    value: z.object({ status: z.enum(['completed', 'already-done', 'cancelled', 'superseded']), metrics: z.unknown().optional() }),
  }),
  z.object({ type: z.literal('failed'), runId: RunId, error: SentErrorSchema }),
]);
export type TrainerMessage = z.infer<typeof TrainerMessageSchema>;

/** An error as the other side sends it; rebuilt there with the same name, message and stack. */
export function sentError(err: unknown): z.infer<typeof SentErrorSchema> {
  if (err instanceof Error) return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  return { name: 'Error', message: String(err) };
}

export function receivedError(sent: z.infer<typeof SentErrorSchema>): Error {
  const err = new Error(sent.message);
  err.name = sent.name;
  if (sent.stack) err.stack = sent.stack;
  return err;
}
