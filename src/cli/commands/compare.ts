import Table from 'cli-table3';
import { Command } from 'commander';
import { z } from 'zod';
import {
  comparableParameters,
  compareInputSchema,
  pairedComparison,
  type PairedComparison,
  type PairedValue,
} from '../../analysis/paired.js';
import { signed } from '../../analysis/paired-text.js';
import { parameterInfo } from '../../definition/vocabulary.js';
import type { SkippedRecord } from '../../store/sweep-store.js';
import { parseOrThrow } from '../../util/errors.js';
import { parseFlags, withConnection, type ConnectionFlags } from '../options.js';
import { requireSweep, withStore } from '../session.js';
import { terminalText, warnSkipped } from '../terminal-text.js';

const FlagsSchema = z.object({ json: z.boolean().optional() });

export function compareCommand(): Command {
  return withConnection(
    new Command('compare')
      .argument('<sweepId>', 'id printed by enqueue')
      .option('--by <parameter>', 'the parameter to compare: one the sweep varies (residual, head, depth, ...)')
      .option('--ref <value>', 'the value the others are compared with (default: false, the smallest number, or the default choice)')
      .option(
        '--json',
        'print {sweepId, by, metric, reference, comparisons: [{value, pairs: [{config, seed, trials, metric, testAcc}], summary, sentence}]}',
      ),
  ).action(async (sweepId: string, raw: ConnectionFlags & { by?: string; ref?: string; json?: boolean }) => {
    const flags = parseFlags(FlagsSchema, { json: raw.json });
    await withStore(raw, async (store) => {
      const sweep = await requireSweep(store, sweepId);
      const skipped: SkippedRecord[] = [];
      const rows = await store.leaderboard(sweepId, sweep.spec.metric, -1, { skipped });
      // Which parameters --by may name depends on the sweep: validated once it is read.
      const input = parseOrThrow(compareInputSchema(sweep, rows), { by: raw.by, ref: raw.ref }, 'invalid option');
      const result = pairedComparison(sweep, rows, input);
      if (flags.json) console.log(JSON.stringify(result, null, 2));
      else console.log(compareText(result, comparableParameters(sweep, rows)));
      warnSkipped(skipped);
    });
  });
}

const num = (v: number | null, digits = 4) => (v === null ? '-' : v.toFixed(digits));
const diffCell = (p: PairedValue | undefined, unit: 'points' | 'loss') => (p?.diff == null ? '-' : signed(p.diff, unit));

/** A header line, one sentence per compared value, and a table of its pairs. */
export function compareText(r: PairedComparison, varying: readonly string[]): string {
  const label = (name: string) => parameterInfo(name)?.short ?? name;
  const shared = varying.filter((name) => name !== r.by);
  const lines = [
    terminalText(
      `${r.sweepId}: ${r.label} compared with ${r.label} ${String(r.reference)}, on ${r.metric.label} (${r.metric.goal}` +
        `${r.metric.unit === 'points' ? ', differences in points' : ''}), ${r.trials.finished} finished trials` +
        (r.trials.pruned ? ` (${r.trials.pruned} stopped early by ASHA left out)` : ''),
    ),
  ];
  if (r.noPairs) lines.push(r.noPairs);
  for (const c of r.comparisons) {
    lines.push('', terminalText(c.sentence));
    if (c.pairs.length === 0) continue;
    const table = new Table({
      head: [
        'seed',
        ...shared.map(label),
        `trial ${String(r.reference)}`,
        `trial ${String(c.value)}`,
        `${r.metric.name} ${String(r.reference)}`,
        `${r.metric.name} ${String(c.value)}`,
        'diff',
        ...(r.testAcc ? ['testAcc diff'] : []),
      ].map(terminalText),
      style: { head: [], border: [] },
    });
    for (const p of c.pairs) {
      table.push([
        p.seed,
        ...shared.map((name) => terminalText(String(p.config[name]))),
        p.trials.reference.slice(0, 8),
        p.trials.other.slice(0, 8),
        num(p.metric.reference),
        num(p.metric.other),
        diffCell(p.metric, r.metric.unit),
        ...(r.testAcc ? [diffCell(p.testAcc, r.testAcc.unit)] : []),
      ]);
    }
    lines.push(table.toString());
  }
  return lines.join('\n');
}
