import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { writeModelDir } from '../../model/saved-model.js';
import { UserError } from '../../util/errors.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import type { SweepRecord } from '../../store/records.js';
import type { SweepStore } from '../../store/sweep-store.js';
import {
  TRIAL_SUMMARY_FILE,
  baselineSummary,
  finishedBaseline,
  isRefusal,
  storedBaselineModel,
  trialSummary,
  trialSummaryJson,
} from '../../store/trial-export.js';
import { parseFlags, withConnection, type ConnectionFlags } from '../options.js';
import { requireSweep, withStore } from '../session.js';

const FlagsSchema = z.object({
  export: z.string().min(1).optional(),
  trial: z
    .string()
    .regex(/^[0-9a-f]{16}$/, { message: 'a 16-hex-digit trial id (see leaderboard --json)' })
    .optional(),
  json: z.boolean().optional(),
  baseline: z.boolean().optional(),
});

export function bestCommand(): Command {
  return withConnection(
    new Command('best')
      .argument('<sweepId>', 'id printed by enqueue')
      .option('--export <dir>', 'write model.json + weights.bin (tf.loadLayersModel) and trial.json (config, metrics) to <dir>')
      .option('--trial <trialId>', 'another trial than the best one')
      .option(
        '--baseline',
        "the sweep's MiniRocket baseline instead of a trial (--export writes minirocket.json and trial.json, for predict)",
      )
      .option('--json', 'print the trial as JSON'),
  ).action(async (sweepId: string, raw: ConnectionFlags & Record<string, unknown>) => {
    const flags = parseFlags(FlagsSchema, { export: raw.export, trial: raw.trial, json: raw.json, baseline: raw.baseline });
    if (flags.baseline && flags.trial) throw new UserError('give either --baseline or --trial <trialId>, not both');
    await withStore(raw, async (store, { artifacts }) => {
      const sweep = await requireSweep(store, sweepId);
      if (flags.baseline) {
        await bestBaseline(sweep, store, artifacts, flags);
        return;
      }
      const trialId = flags.trial ?? (await store.leaderboard(sweepId, sweep.spec.metric, 1))[0]?.trialId;
      if (!trialId) throw new UserError(`sweep ${sweepId} has no finished trial yet`);
      const result = await store.getResult(sweepId, trialId);
      if (!result) throw new UserError(`trial ${trialId} of sweep ${sweepId} has no result`);
      const summary = trialSummary(sweep, result);
      if (flags.export) {
        if (!result.model) {
          throw new UserError(`the model of trial ${trialId} was not kept (a dry-run sweep, or workers ran with --artifacts none)`);
        }
        const saved = await artifacts.load(sweepId, trialId, result.model);
        await writeModelDir(flags.export, saved);
        await writeFile(path.join(flags.export, TRIAL_SUMMARY_FILE), trialSummaryJson(summary));
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

/** `best --baseline`: the sweep's reference result, and with --export its model folder for predict. */
async function bestBaseline(
  sweep: SweepRecord,
  store: SweepStore,
  artifacts: ArtifactStore,
  flags: { export?: string | undefined; json?: boolean | undefined },
): Promise<void> {
  const { sweepId } = sweep;
  const result = await finishedBaseline(store, sweep);
  if (isRefusal(result)) throw new UserError(result.refused);
  const summary = baselineSummary(sweep, result);
  if (flags.export) {
    const model = await storedBaselineModel(artifacts, sweep, result);
    if (isRefusal(model)) throw new UserError(model.refused);
    const { saveMiniRocket } = await import('../../model/minirocket/index.js');
    await saveMiniRocket(flags.export, model);
    await writeFile(path.join(flags.export, TRIAL_SUMMARY_FILE), trialSummaryJson(summary));
  }
  if (flags.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const m = result.metrics;
  console.log(`MiniRocket baseline of ${sweepId}: ${sweep.spec.metric.name} ${m[sweep.spec.metric.name]?.toFixed(4) ?? '-'}`);
  console.log(
    `leave-one-out on the train file: loss ${m.valLoss.toFixed(4)} acc ${m.valAcc.toFixed(3)} auc ${m.valAuc.toFixed(3)}` +
      (m.testAcc !== undefined ? ` | test: acc ${m.testAcc.toFixed(3)} auc ${m.testAuc?.toFixed(3)}` : ''),
  );
  console.log(`${result.features} features, ridge alpha ${result.alpha}, fitted in ${result.seconds.toFixed(1)} s on ${result.worker}`);
  if (flags.export) console.log(`exported to ${path.resolve(flags.export)} (minirocket.json, trial.json)`);
}
