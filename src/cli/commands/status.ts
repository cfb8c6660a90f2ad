import { Command } from 'commander';
import { withConnection, type ConnectionFlags } from '../options.js';
import { requireSweep, withStore } from '../session.js';
import { terminalText, warnSkipped } from '../terminal-text.js';
import type { SkippedRecord } from '../../store/sweep-store.js';

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
      for (const f of await store.getFailures(sweepId, skipped)) {
        console.log(terminalText(`failed ${f.trialId} after ${f.attempts} attempt(s): ${f.reason}`));
      }
      warnSkipped(skipped);
    });
  });
}
