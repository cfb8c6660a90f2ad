import { Command } from 'commander';
import { cancelSweep } from '../../producer/cancel.js';
import { withConnection, type ConnectionFlags } from '../options.js';
import { withQueue } from '../session.js';

export function cancelCommand(): Command {
  return withConnection(
    new Command('cancel')
      .argument('<sweepId>', 'id printed by enqueue')
      .option(
        '--json',
        'print {"sweepId","removed","active","baseline"} as JSON (baseline: removed | active, when the baseline job was queued or training)',
      ),
  ).action(async (sweepId: string, flags: ConnectionFlags & { json?: boolean }) => {
    const summary = await withQueue(flags, (deps) => cancelSweep(sweepId, deps));
    if (flags.json) console.log(JSON.stringify(summary));
    else
      console.log(
        `cancelled ${sweepId}: ${summary.removed} queued trials removed, ${summary.active} still training will finish` +
          (summary.baseline === 'removed'
            ? '; baseline job removed'
            : summary.baseline === 'active'
              ? '; baseline training will finish'
              : ''),
      );
  });
}
