import { Command } from 'commander';
import { z } from 'zod';
import { leaderboardCsv, leaderboardTable } from '../leaderboard-format.js';
import { intFlag, parseFlags, withConnection, type ConnectionFlags } from '../options.js';
import { requireSweep, withStore } from '../session.js';

const FlagsSchema = z.object({
  json: z.boolean().optional(),
  csv: z.boolean().optional(),
  limit: intFlag(1).optional(),
});

export function leaderboardCommand(): Command {
  return withConnection(
    new Command('leaderboard')
      .description("a sweep's finished trials ranked by its metric, best first")
      .argument('<sweepId>', 'id printed by enqueue')
      .option('--json', 'print an array of {rank, trialId, config, metrics, epochs, durationMs, backend, worker}')
      .option('--csv', 'print CSV')
      .option('--limit <n>', 'show only the best n trials'),
  ).action(async (sweepId: string, raw: ConnectionFlags & Record<string, unknown>) => {
    const flags = parseFlags(FlagsSchema, { json: raw.json, csv: raw.csv, limit: raw.limit });
    await withStore(raw, async (store) => {
      const sweep = await requireSweep(store, sweepId);
      const rows = await store.leaderboard(sweepId, sweep.spec.metric, flags.limit);
      if (flags.json) {
        console.log(JSON.stringify(rows, null, 2));
      } else if (flags.csv) {
        process.stdout.write(leaderboardCsv(rows));
      } else {
        console.log(leaderboardTable(rows, sweep.spec.metric));
        for (const f of await store.getFailures(sweepId)) {
          console.log(`failed ${f.trialId.slice(0, 8)} (depth ${f.config.depth}, width ${f.config.width}) after ${f.attempts} attempt(s): ${f.reason}`);
        }
        const counts = await store.counts(sweepId);
        console.log(`${counts.completed}/${counts.total} trials done, ${counts.failed} failed, ${counts.active} active`);
      }
    });
  });
}
