import { Command } from 'commander';
import { z } from 'zod';
import { baselineVerdict, leaderboardCsv, leaderboardTable, seedGroupsTable } from '../leaderboard-format.js';
import { bySeedGroups } from '../../store/aggregate.js';
import { intFlag, parseFlags, withConnection, type ConnectionFlags } from '../options.js';
import { requireSweep, withStore } from '../session.js';
import { progressLine } from '../sweep-progress.js';
import type { SkippedRecord, SweepStore } from '../../store/sweep-store.js';
import { terminalText, warnSkipped } from '../terminal-text.js';
import { endedCount, type BaselineResult, type LeaderboardRow, type SweepRecord } from '../../store/records.js';

const FlagsSchema = z.object({
  json: z.boolean().optional(),
  csv: z.boolean().optional(),
  limit: intFlag(1).optional(),
  watch: z.boolean().optional(),
  byConfig: z.boolean().optional(),
  interval: z.coerce.number().min(0.2).max(3600).default(2),
});

export function leaderboardCommand(): Command {
  return withConnection(
    new Command('leaderboard')
      .argument('<sweepId>', 'id printed by enqueue')
      .option(
        '--json',
        'print an array of {kind: "trial", rank, trialId, config, metrics, epochs, durationMs, backend, worker}, the sweep\'s baseline first as {kind: "baseline", method, metrics, ...} once it is done',
      )
      .option('--csv', 'print CSV (column kind: trial, or baseline for the reference row, first)')
      .option('--limit <n>', 'show only the best n trials')
      .option(
        '--by-config',
        'one row per configuration: mean ± standard deviation over its seeds, and the test accuracy of the seed ensemble (shown by default when the sweep has several seeds)',
      )
      .option('--watch', 'refresh in place while the sweep runs, with a progress bar and ETA (Ctrl-C to stop)')
      .option('--interval <seconds>', 'refresh period of --watch', '2'),
  ).action(async (sweepId: string, raw: ConnectionFlags & Record<string, unknown>) => {
    const flags = parseFlags(FlagsSchema, {
      json: raw.json,
      csv: raw.csv,
      limit: raw.limit,
      watch: raw.watch,
      interval: raw.interval,
      byConfig: raw.byConfig,
    });
    await withStore(raw, async (store) => {
      const sweep = await requireSweep(store, sweepId);
      if (flags.watch) {
        await watch(store, sweep, flags.limit, flags.interval * 1000);
        return;
      }
      const grouped = flags.byConfig || (!flags.json && !flags.csv && sweep.spec.seeds.length > 1);
      // Groups need every trial (means over seeds); a plain listing only the best `limit`.
      // Corrupt results are left out and named on stderr at the end.
      const skipped: SkippedRecord[] = [];
      const rows = await store.leaderboard(sweepId, sweep.spec.metric, grouped ? undefined : flags.limit, {
        withPredictions: grouped,
        skipped,
      });
      const groups = grouped ? bySeedGroups(rows, sweep.spec.metric).slice(0, flags.limit) : [];
      const shown = rows.slice(0, flags.limit);
      // The sweep's reference (baseline job), once it is done: first, outside the ranking.
      const state = await store.baselineState(sweep, skipped);
      const baseline = state.state === 'done' ? state.result : undefined;
      const baselineRow = baseline ? [baselineJson(baseline)] : [];
      if (flags.byConfig && flags.json) {
        console.log(JSON.stringify([...baselineRow, ...groups.map((g) => ({ kind: 'config', ...g }))], null, 2));
        warnSkipped(skipped);
        return;
      }
      if (grouped) {
        console.log(`per configuration, over ${sweep.spec.seeds.length} seeds:`);
        console.log(seedGroupsTable(groups, sweep.spec.metric, baseline));
        if (flags.byConfig) {
          // Groups are made of every trial, whatever --limit shows.
          if (baseline) printVerdict(baseline, rows, sweep, true);
          warnSkipped(skipped);
          return;
        }
        console.log('per trial:');
      }
      if (flags.json) {
        console.log(JSON.stringify([...baselineRow, ...shown.map((row) => ({ kind: 'trial', ...row }))], null, 2));
      } else if (flags.csv) {
        process.stdout.write(leaderboardCsv(shown, baseline));
      } else {
        console.log(leaderboardTable(shown, sweep.spec.metric, baseline));
        if (baseline) printVerdict(baseline, shown, sweep, flags.limit === undefined);
        else if (state.state !== 'none') console.log(`MiniRocket baseline: ${state.state}`);
        for (const f of await store.getFailures(sweepId, skipped)) {
          console.log(
            terminalText(
              `failed ${f.trialId.slice(0, 8)} (depth ${f.config.depth}, width ${f.config.width}) after ${f.attempts} attempt(s): ${f.reason}`,
            ),
          );
        }
        const counts = await store.counts(sweepId);
        console.log(`${counts.completed}/${counts.total} trials done, ${counts.failed} failed, ${counts.active} active`);
      }
      warnSkipped(skipped);
    });
  });
}

/** The baseline's JSON row: its own fields, never a rank or trial id. */
function baselineJson(b: BaselineResult) {
  return {
    kind: 'baseline',
    method: b.method,
    metrics: b.metrics,
    seconds: b.seconds,
    durationMs: b.durationMs,
    features: b.features,
    alpha: b.alpha,
    worker: b.worker,
    attempts: b.attempts,
  };
}

/** Says plainly whether the baseline beats the trials (all of them, or the `--limit` shown). */
function printVerdict(baseline: BaselineResult, trials: LeaderboardRow[], sweep: SweepRecord, all: boolean): void {
  const lines = baselineVerdict(baseline, trials, sweep.spec.metric, all ? 'every trial' : `the ${trials.length} best trials`);
  for (const line of lines) console.log(line);
}

/** Redraws the table and a progress line until every trial has ended. */
async function watch(store: SweepStore, sweep: SweepRecord, limit: number | undefined, intervalMs: number): Promise<void> {
  const tty = process.stdout.isTTY;
  let last = '';
  for (;;) {
    const counts = await store.counts(sweep.sweepId);
    const rows = await store.leaderboard(sweep.sweepId, sweep.spec.metric, limit);
    const state = await store.baselineState(sweep);
    const baseline = state.state === 'done' ? state.result : undefined;
    const screen = `${terminalText(sweep.sweepId)}  (${sweep.spec.metric.name}, ${sweep.spec.metric.goal})\n${leaderboardTable(rows, sweep.spec.metric, baseline)}\n${progressLine(counts, Date.parse(sweep.createdAt))}\n`;
    // On a terminal: clear and redraw in place. Piped: print only when something changed.
    if (tty) process.stdout.write(`\x1b[H\x1b[2J${screen}`);
    else if (screen.replace(/ETA .*/, '') !== last) process.stdout.write(screen);
    last = screen.replace(/ETA .*/, '');
    if (endedCount(counts) >= counts.total) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
