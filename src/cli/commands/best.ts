import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { writeModelDir } from '../../model/saved-model.js';
import { UserError } from '../../util/errors.js';
import { parseFlags, withConnection, type ConnectionFlags } from '../options.js';
import { requireSweep, withStore } from '../session.js';

const FlagsSchema = z.object({
  export: z.string().min(1).optional(),
  trial: z
    .string()
    .regex(/^[0-9a-f]{16}$/, { message: 'a 16-hex-digit trial id (see leaderboard --json)' })
    .optional(),
  json: z.boolean().optional(),
});

export function bestCommand(): Command {
  return withConnection(
    new Command('best')
      .argument('<sweepId>', 'id printed by enqueue')
      .option('--export <dir>', 'write model.json + weights.bin (tf.loadLayersModel) and trial.json (config, metrics) to <dir>')
      .option('--trial <trialId>', 'another trial than the best one')
      .option('--json', 'print the trial as JSON'),
  ).action(async (sweepId: string, raw: ConnectionFlags & Record<string, unknown>) => {
    const flags = parseFlags(FlagsSchema, { export: raw.export, trial: raw.trial, json: raw.json });
    await withStore(raw, async (store, { artifacts }) => {
      const sweep = await requireSweep(store, sweepId);
      const trialId = flags.trial ?? (await store.leaderboard(sweepId, sweep.spec.metric, 1))[0]?.trialId;
      if (!trialId) throw new UserError(`sweep ${sweepId} has no finished trial yet`);
      const result = await store.getResult(sweepId, trialId);
      if (!result) throw new UserError(`trial ${trialId} of sweep ${sweepId} has no result`);
      const summary = {
        sweepId,
        trialId,
        metric: sweep.spec.metric,
        config: result.config,
        metrics: result.metrics,
        bestEpoch: result.bestEpoch,
        inputShape: result.inputShape,
        normalization: result.normalization ?? { mode: 'none' },
        history: result.history,
      };
      if (flags.export) {
        if (!result.model) {
          throw new UserError(`the model of trial ${trialId} was not kept (a dry-run sweep, or workers ran with --artifacts none)`);
        }
        const saved = await artifacts.load(sweepId, trialId, result.model);
        await writeModelDir(flags.export, saved);
        await writeFile(
          path.join(flags.export, 'trial.json'),
          JSON.stringify({ ...summary, exportedAt: new Date().toISOString() }, null, 2),
        );
      }
      if (flags.json) {
        console.log(JSON.stringify(summary, null, 2));
      } else {
        const m = result.metrics;
        console.log(`trial ${trialId}: ${sweep.spec.metric.name} ${m[sweep.spec.metric.name]?.toFixed(4) ?? '-'}`);
        console.log(`config ${JSON.stringify(result.config)}`);
        console.log(
          `validation: loss ${m.valLoss.toFixed(4)} acc ${m.valAcc.toFixed(3)} auc ${m.valAuc.toFixed(3)}` +
            (m.testAcc !== undefined ? ` | test: acc ${m.testAcc.toFixed(3)} auc ${m.testAuc?.toFixed(3)}` : ''),
        );
        if (flags.export) console.log(`exported to ${path.resolve(flags.export)} (model.json, weights.bin, trial.json)`);
      }
    });
  });
}
