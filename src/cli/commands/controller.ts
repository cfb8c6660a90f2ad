import { Command } from 'commander';
import { z } from 'zod';
import { topUpSweep } from '../../search/suggester.js';
import { endedCount } from '../../store/records.js';
import { UserError } from '../../util/errors.js';
import { log } from '../../util/logger.js';
import { parseFlags, withConnection, type ConnectionFlags } from '../options.js';
import { requireSweep, withQueue } from '../session.js';

const FlagsSchema = z.object({ interval: z.coerce.number().min(0.1).max(3600).default(2) });

/**
 * Optional: workers already suggest a tpe sweep's next trials whenever one ends. A controller
 * does the same on a timer, e.g. to keep a sweep supplied while no worker is running yet.
 */
export function controllerCommand(): Command {
  return withConnection(
    new Command('controller').argument('<sweepId>', 'id printed by enqueue').option('--interval <seconds>', 'how often to check', '2'),
  ).action(async (sweepId: string, raw: ConnectionFlags & Record<string, unknown>) => {
    const flags = parseFlags(FlagsSchema, { interval: raw.interval });
    await withQueue(raw, async (deps) => {
      const { store } = deps;
      const sweep = await requireSweep(store, sweepId);
      if (sweep.spec.method !== 'tpe')
        throw new UserError(`sweep ${sweepId} is a ${sweep.spec.method} sweep: all its trials were queued by enqueue`);
      let stop = false;
      process.once('SIGINT', () => (stop = true));
      process.once('SIGTERM', () => (stop = true));
      while (!stop) {
        const added = await topUpSweep(sweep, deps);
        if (added > 0) log('sweep.suggested', { sweepId, added });
        const counts = await store.counts(sweepId);
        if (endedCount(counts) >= counts.total) break;
        await new Promise((r) => setTimeout(r, flags.interval * 1000));
      }
    });
  });
}
