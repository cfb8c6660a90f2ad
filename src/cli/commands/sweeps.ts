import { Command } from 'commander';
import Table from 'cli-table3';
import { skippedRecord, type SkippedRecord } from '../../store/sweep-store.js';
import { CorruptRecordError } from '../../util/errors.js';
import { withConnection, type ConnectionFlags } from '../options.js';
import { withStore } from '../session.js';
import { terminalText, warnSkipped } from '../terminal-text.js';

export function sweepsCommand(): Command {
  return withConnection(new Command('sweeps').option('--json', 'print JSON')).action(
    async (flags: ConnectionFlags & { json?: boolean }) => {
      await withStore(flags, async (store) => {
        // A corrupt sweep record is skipped and named on stderr: the others still show.
        const skipped: SkippedRecord[] = [];
        // Every sweep at once: the commands of all of them share the connection's round trips.
        const read = async (sweepId: string) => {
          try {
            const sweep = await store.getSweep(sweepId);
            return sweep && { sweepId, name: sweep.spec.name, createdAt: sweep.createdAt, ...(await store.counts(sweepId)) };
          } catch (err) {
            if (!(err instanceof CorruptRecordError)) throw err;
            skipped.push(skippedRecord(err));
            return undefined;
          }
        };
        const rows = (await Promise.all((await store.listSweeps()).map(read))).filter((r) => r !== undefined);
        if (flags.json) {
          console.log(JSON.stringify(rows, null, 2));
        } else {
          const table = new Table({
            head: ['sweep', 'created', 'total', 'waiting', 'active', 'completed', 'failed'],
            style: { head: [], border: [] },
          });
          for (const r of rows) {
            table.push([
              terminalText(r.sweepId),
              terminalText(r.createdAt.slice(0, 19)),
              r.total,
              r.waiting,
              r.active,
              r.completed,
              r.failed,
            ]);
          }
          console.log(table.toString());
        }
        warnSkipped(skipped);
      });
    },
  );
}
