/**
 * Training throughput measured over a common steady-state window, for trials that run side by
 * side (in one process, in several processes, in PyTorch): each trial records when each of its
 * epochs started and ended (wall-clock ms, comparable across processes); the window opens when
 * the last trial has finished its warm-up epoch and closes when the first trial has stopped, so
 * every trial is running throughout it. An epoch that straddles an edge counts in proportion to
 * its overlap with the window.
 */
import { z } from 'zod';

export const EpochSpanSchema = z.tuple([z.number(), z.number()]);
/** One trial's record: its training rows per epoch and the [start, end] of every epoch, warm-up first. */
export const TrialTimingSchema = z.object({ rows: z.number().int().positive(), epochs: z.array(EpochSpanSchema).min(2) });
export type TrialTiming = z.infer<typeof TrialTimingSchema>;

export interface WindowRate {
  /** training rows per second, summed over the trials */
  samplesPerSec: number;
  /** length of the common window */
  windowMs: number;
  /** epochs inside the window, summed over the trials (fractions at the edges) */
  epochs: number;
}

/** Wall-clock milliseconds, the same clock in every process of the host (Python's time.time() * 1000). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export function windowRate(trials: readonly TrialTiming[]): WindowRate {
  if (trials.length === 0) throw new Error('no trials timed');
  const open = Math.max(...trials.map((t) => t.epochs[0]![1]));
  const close = Math.min(...trials.map((t) => t.epochs.at(-1)![1]));
  if (!(close > open)) throw new Error(`no common steady-state window (opens ${open.toFixed(0)}, closes ${close.toFixed(0)})`);
  let samples = 0;
  let epochs = 0;
  for (const t of trials) {
    for (const [start, end] of t.epochs.slice(1)) {
      const overlap = Math.min(end, close) - Math.max(start, open);
      if (overlap <= 0 || end <= start) continue;
      epochs += overlap / (end - start);
      samples += (t.rows * overlap) / (end - start);
    }
  }
  return { samplesPerSec: samples / ((close - open) / 1000), windowMs: close - open, epochs };
}

/**
 * Approximate training FLOPs per sample of the residual LSTM stack (T steps, F features, depth
 * layers of width U): the four gates' matmuls, 2 flops per multiply-add, forward plus backward
 * (about three times the forward). Elementwise work and the head are left out.
 */
export function trainFlopsPerSample(timesteps: number, features: number, width: number, depth: number): number {
  let forward = 0;
  for (let layer = 0; layer < depth; layer++) forward += timesteps * 2 * 4 * width * ((layer === 0 ? features : width) + width);
  return 3 * forward;
}
