import { Command } from 'commander';
import { withConnection, type ConnectionFlags } from '../options.js';
import { requireSweep, withStore } from '../session.js';
import { terminalText, warnSkipped } from '../terminal-text.js';
import type { SkippedRecord } from '../../store/sweep-store.js';
import type { BaselineState } from '../../store/records.js';

export function statusCommand(): Command {
  return withConnection(
    new Command('status').argument('<sweepId>', 'id printed by enqueue').option('--json', 'print the counts as JSON'),
  ).action(async (sweepId: string, flags: ConnectionFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      const sweep = await requireSweep(store, sweepId);
      const counts = await store.counts(sweepId);
      if (flags.json) {
        console.log(JSON.stringify(counts));
        return;
      }
      console.log(terminalText(`sweep ${sweepId} (${sweep.spec.name}, ${sweep.spec.method}, metric ${sweep.spec.metric.name})`));
      console.log(
        `total ${counts.total}  waiting ${counts.waiting}  active ${counts.active}  completed ${counts.completed}  failed ${counts.failed}` +
          (counts.pruned > 0 ? `  pruned ${counts.pruned}` : '') +
          (counts.cancelled > 0 ? `  cancelled ${counts.cancelled}` : '') +
          (counts.notQueued ? `  not queued ${counts.notQueued}` : ''),
      );
      if (counts.notQueued) {
        console.log(
          `${counts.notQueued} trial(s) have no job yet (an enqueue still running, or one that was cut off): lstm-sweep enqueue --resume ${sweepId}`,
        );
      }
      const skipped: SkippedRecord[] = [];
      // The baseline job on a line of its own: it is no trial, and counts in none of the above.
      const baseline = await store.baselineState(sweep, skipped);
      if (baseline.state !== 'none') console.log(terminalText(`baseline: MiniRocket ${baselineLine(baseline)}`));
      for (const f of await store.getFailures(sweepId, skipped)) {
        console.log(terminalText(`failed ${f.trialId} after ${f.attempts} attempt(s): ${f.reason}`));
      }
      warnSkipped(skipped);
    });
  });
}

function baselineLine(b: BaselineState): string {
  switch (b.state) {
    case 'done': {
      const m = b.result.metrics;
      return `done  valAcc ${m.valAcc.toFixed(4)} (leave-one-out)${m.testAcc !== undefined ? `  testAcc ${m.testAcc.toFixed(4)}` : ''}  ${b.result.seconds.toFixed(1)} s`;
    }
    case 'running':
      return `running on ${b.worker} (attempt ${b.attempt})`;
    case 'failed':
      return `failed after ${b.failure.attempts} attempt(s): ${b.failure.reason}`;
    default:
      return b.state;
  }
}
