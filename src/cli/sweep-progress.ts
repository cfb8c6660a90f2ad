import cliProgress from 'cli-progress';
import type { Queue } from 'bullmq';
import type { TrialJob } from '../queue/trial-job.js';
import { TrialProgressSchema, trialJobId } from '../queue/trial-job.js';
import type { Metric } from '../definition/sweep-spec.js';
import type { SweepStore } from '../store/sweep-store.js';
import { endedCount, type StatusCounts } from '../store/records.js';
import { phaseOfProgress, phaseText, workDone } from '../queue/trial-progress.js';

/*
 * Sweep progress in the terminal: `progressLine` under a watched leaderboard (redrawn in place
 * with the table), `watchSweep` as a live progress bar (the demo).
 */

export interface WatchOptions {
  pollMs?: number;
  /** Stops watching early (e.g. a worker died). */
  signal?: AbortSignal;
  /** where the bar is drawn (default: stderr) */
  stream?: NodeJS.WritableStream;
  /** how often the bar is redrawn when the stream is not a terminal (default 5 s) */
  redrawMs?: number;
}

/** Where the trials being trained right now stand, from their job progress: a few in words, and the work done by all. */
async function activeStandings(store: SweepStore, queue: Queue<TrialJob>, sweepId: string) {
  const active = [...(await store.getActive(sweepId)).keys()];
  const standings = await Promise.all(
    active.map(async (trialId) => {
      const job = await queue.getJob(trialJobId(sweepId, trialId));
      const p = TrialProgressSchema.safeParse(job?.progress);
      const standing = p.success ? { phase: phaseOfProgress(p.data), epoch: p.data.epoch, epochs: p.data.epochs } : undefined;
      return { trialId, standing };
    }),
  );
  const text = standings
    .slice(0, 4)
    .map(({ trialId, standing }) => `${trialId.slice(0, 6)} ${standing ? phaseText(standing) : 'starting'}`)
    .join('; ');
  const work = standings.reduce((sum, { standing }) => sum + (standing ? workDone(standing) : 0), 0);
  return { count: active.length, text, work };
}

/**
 * The time left, from the rate of work since watching began: `done` trials' worth of work (ended
 * trials plus the share of each active one; a cross-validated trial counts its folds and refit),
 * `doneAtStart` when watching began. "estimating" until some work has been measured.
 */
export function etaText(w: { total: number; done: number; doneAtStart: number; elapsedS: number }): string {
  if (w.done >= w.total) return 'done';
  const rate = (w.done - w.doneAtStart) / w.elapsedS;
  if (!(w.elapsedS > 0) || !(rate > 0)) return 'estimating';
  return formatDuration((w.total - w.done) / rate);
}

/** Shows a progress bar (with ETA and the best metric so far) until every trial has ended. */
export async function watchSweep(
  store: SweepStore,
  queue: Queue<TrialJob>,
  sweepId: string,
  metric: Metric,
  opts: WatchOptions = {},
): Promise<StatusCounts> {
  // The ETA is ours (etaText): cli-progress's counts ended trials only, and says "NFs" (infinity)
  // until one ends, though cross-validated trials are long and report their folds.
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {value}/{total} trials | {active} active [{epochs}] | ETA {eta_text} | best {metric} {best}',
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: opts.redrawMs ?? 5000,
      ...(opts.stream ? { stream: opts.stream } : {}),
    },
    cliProgress.Presets.shades_classic,
  );
  let counts = await store.counts(sweepId);
  let startedAt = Date.now();
  let doneAtStart: number | undefined;
  bar.start(counts.total, 0, { active: 0, epochs: '', eta_text: 'estimating', metric: metric.name, best: '-' });
  try {
    while (!opts.signal?.aborted) {
      counts = await store.counts(sweepId);
      const [best] = await store.leaderboard(sweepId, metric, 1);
      const value = best?.metrics[metric.name];
      const active = await activeStandings(store, queue, sweepId);
      const done = endedCount(counts) + active.work;
      if (doneAtStart === undefined) [doneAtStart, startedAt] = [done, Date.now()];
      bar.update(endedCount(counts), {
        // read with the standings (the counts come a moment earlier: a trial may have started since)
        active: active.count,
        epochs: active.text,
        eta_text: etaText({ total: counts.total, done, doneAtStart, elapsedS: (Date.now() - startedAt) / 1000 }),
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
