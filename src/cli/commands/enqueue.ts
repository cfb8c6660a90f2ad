import { Command } from 'commander';
import { enqueueSweep, prepareSweep } from '../../producer/enqueue.js';
import { createTrialQueue } from '../../queue/trial-queue.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import { withConnection, type ConnectionFlags } from '../options.js';
import { withStore } from '../session.js';

interface Flags extends ConnectionFlags {
  yes?: boolean;
  json?: boolean;
}

export function enqueueCommand(): Command {
  return withConnection(
    new Command('enqueue')
      .description('validate a sweep spec and its dataset, store them in Redis and queue one job per trial')
      .argument('<spec>', 'sweep spec file (YAML or JSON)')
      .option('-y, --yes', `confirm sweeps of 100,000 trials or more`)
      .option('--json', 'print {"sweepId","trials","enqueued"} as JSON'),
  ).action(async (specFile: string, flags: Flags) => {
    // Everything about the input is checked before Redis is touched.
    const prepared = await prepareSweep(await loadSpecFile(specFile), { yes: flags.yes });
    const summary = await withStore(flags, async (_store, { redis, prefix }) => {
      const queue = createTrialQueue(redis, prefix);
      try {
        return await enqueueSweep(prepared, { redis, queue, prefix });
      } finally {
        await queue.close();
      }
    });
    if (flags.json) {
      console.log(JSON.stringify(summary));
    } else {
      console.log(summary.sweepId);
      console.error(
        `${summary.trials} trials, ${summary.enqueued} newly queued` +
          (summary.enqueued < summary.trials ? ` (${summary.trials - summary.enqueued} already queued or done)` : ''),
      );
    }
  });
}
