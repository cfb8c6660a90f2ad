import { Command } from 'commander';
import Table from 'cli-table3';
import { withConnection, type ConnectionFlags } from '../options.js';
import { withStore } from '../session.js';

export function sweepsCommand(): Command {
  return withConnection(new Command('sweeps').option('--json', 'print JSON')).action(
    async (flags: ConnectionFlags & { json?: boolean }) => {
      await withStore(flags, async (store) => {
        const rows = [];
        for (const sweepId of await store.listSweeps()) {
          const sweep = await store.getSweep(sweepId);
          if (sweep) rows.push({ sweepId, name: sweep.spec.name, createdAt: sweep.createdAt, ...(await store.counts(sweepId)) });
        }
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
    },
  );
}
