import { Command } from 'commander';
import Table from 'cli-table3';
import { withConnection, type ConnectionFlags } from '../options.js';
import { withStore } from '../session.js';

export function sweepsCommand(): Command {
  return withConnection(
    new Command('sweeps').description('list sweeps, newest first, with their progress').option('--json', 'print JSON'),
  ).action(async (flags: ConnectionFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      // Every sweep at once: the commands of all of them share the connection's round trips.
      const sweeps = await Promise.all((await store.listSweeps()).map((sweepId) => store.getSweep(sweepId)));
      const rows = await Promise.all(
        sweeps
          .filter((s) => s !== undefined)
          .map(async (s) => ({ sweepId: s.sweepId, name: s.spec.name, createdAt: s.createdAt, ...(await store.counts(s.sweepId)) })),
      );
      if (flags.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = new Table({
        head: ['sweep', 'created', 'total', 'waiting', 'active', 'completed', 'failed'],
        style: { head: [], border: [] },
      });
      for (const r of rows) table.push([r.sweepId, r.createdAt.slice(0, 19), r.total, r.waiting, r.active, r.completed, r.failed]);
      console.log(table.toString());
    });
  });
}
