import cliProgress from 'cli-progress';
import type { Queue } from 'bullmq';
import type { TrialJob } from '../queue/trial-job.js';
import { TrialProgressSchema, trialJobId } from '../queue/trial-job.js';
import type { Metric } from '../definition/sweep-spec.js';
import type { SweepStore } from '../store/sweep-store.js';
import { endedCount, type StatusCounts } from '../store/records.js';

/*
 * Sweep progress in the terminal: `progressLine` under a watched leaderboard (redrawn in place
 * with the table), `watchSweep` as a live progress bar (the demo).
 */

export interface WatchOptions {
  pollMs?: number;
  /** Stops watching early (e.g. a worker died). */
  signal?: AbortSignal;
}

/** Epoch-level view of the trials being trained right now, from their job progress. */
async function activeEpochs(store: SweepStore, queue: Queue<TrialJob>, sweepId: string): Promise<string> {
  const active = [...(await store.getActive(sweepId)).keys()].slice(0, 4);
  const parts = await Promise.all(
    active.map(async (trialId) => {
      const job = await queue.getJob(trialJobId(sweepId, trialId));
      const p = TrialProgressSchema.safeParse(job?.progress);
      return p.success ? `${trialId.slice(0, 6)} ${p.data.epoch}/${p.data.epochs}` : `${trialId.slice(0, 6)} starting`;
    }),
  );
  return parts.join(', ');
}

/** Shows a progress bar (with ETA and the best metric so far) until every trial has ended. */
export async function watchSweep(
  store: SweepStore,
  queue: Queue<TrialJob>,
  sweepId: string,
  metric: Metric,
  opts: WatchOptions = {},
): Promise<StatusCounts> {
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {value}/{total} trials | {active} active [{epochs}] | ETA {eta_formatted} | best {metric} {best}',
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  let counts = await store.counts(sweepId);
  bar.start(counts.total, 0, { active: 0, epochs: '', metric: metric.name, best: '-' });
  try {
    while (!opts.signal?.aborted) {
      counts = await store.counts(sweepId);
      const [best] = await store.leaderboard(sweepId, metric, 1);
      const value = best?.metrics[metric.name];
      bar.update(endedCount(counts), {
        active: counts.active,
        epochs: await activeEpochs(store, queue, sweepId),
        best: value === undefined ? '-' : value.toFixed(4),
      });
      if (endedCount(counts) >= counts.total) break;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  } finally {
    bar.stop();
  }
  return counts;
}

/** `███████░░░░ 7/11 trials | 2 active | ETA 1m 20s`: the line under a watched leaderboard. */
export function progressLine(counts: StatusCounts, startedAt: number, now = Date.now(), width = 30): string {
  const ended = endedCount(counts);
  const filled = counts.total === 0 ? width : Math.round((ended / counts.total) * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const elapsed = (now - startedAt) / 1000;
  const remaining = counts.total - ended;
  let eta = '-';
  if (remaining === 0) eta = 'done';
  else if (ended > 0 && elapsed > 0) eta = formatDuration((remaining * elapsed) / ended);
  return `${bar} ${ended}/${counts.total} trials | ${counts.active} active | ${counts.failed} failed | ETA ${eta}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
