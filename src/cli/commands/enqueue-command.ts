import { Command } from 'commander';
import { enqueueSweep, prepareSweep, type EnqueueSummary } from '../../producer/enqueue.js';
import { resumeSweep } from '../../producer/resume.js';
import { loadSpecFile } from '../../definition/load-spec.js';
import { z } from 'zod';
import { MaxDatasetMbSchema, readEnv } from '../../config/env.js';
import { DEFAULT_MAX_TRIAL_MEMORY_MB } from '../../producer/trial-size.js';
import { DEFAULT_MAX_DATASET_MB } from '../../data/limits.js';
import { UserError, parseOrThrow } from '../../util/errors.js';
import { retryTransient } from '../../util/retry.js';
import { withConnection, type ConnectionFlags } from '../options.js';
import { withQueue } from '../session.js';

interface Flags extends ConnectionFlags {
  yes?: boolean;
  json?: boolean;
  resume?: string;
  maxTrialMemory?: string;
  maxDatasetMb?: string;
}

const MemoryFlagSchema = z.coerce
  .number()
  .int()
  .min(16)
  .max(1024 * 1024);

export function enqueueCommand(): Command {
  return withConnection(
    new Command('enqueue')
      .argument('[spec]', 'sweep spec file (YAML or JSON)')
      .option('--resume <sweepId>', 're-queue the trials of a stored sweep that are missing or failed (no spec file needed)')
      .option('-y, --yes', 'confirm sweeps of 100,000 trials or more')
      .option(
        '--json',
        'print {"sweepId","trials","enqueued","baselineQueued"} as JSON (baselineQueued: only when the sweep has a baseline)',
      )
      .option(
        '--max-trial-memory <MB>',
        `refuse trials whose training memory exceeds this (default LSW_MAX_TRIAL_MEMORY_MB, else ${DEFAULT_MAX_TRIAL_MEMORY_MB})`,
      )
      .option(
        '--max-dataset-mb <MB>',
        `refuse dataset files larger than this (default LSW_MAX_DATASET_MB, else ${DEFAULT_MAX_DATASET_MB})`,
      ),
  ).action(async (specFile: string | undefined, flags: Flags) => {
    let summary: EnqueueSummary;
    if (flags.resume !== undefined) {
      if (specFile !== undefined) throw new UserError('give either a spec file or --resume <sweepId>, not both');
      summary = await withQueue(flags, (deps) => retryTransient(() => resumeSweep(flags.resume!, deps)));
    } else {
      if (specFile === undefined) throw new UserError('missing spec file: lstm-sweep enqueue <spec.yaml> (or --resume <sweepId>)');
      // Everything about the input is checked before Redis is touched.
      const maxTrialMemoryMb =
        flags.maxTrialMemory === undefined
          ? readEnv().LSW_MAX_TRIAL_MEMORY_MB
          : parseOrThrow(MemoryFlagSchema, flags.maxTrialMemory, '--max-trial-memory');
      const maxDatasetMb =
        flags.maxDatasetMb === undefined
          ? readEnv().LSW_MAX_DATASET_MB
          : parseOrThrow(MaxDatasetMbSchema, flags.maxDatasetMb, '--max-dataset-mb');
      const prepared = await prepareSweep(await loadSpecFile(specFile), { yes: flags.yes, maxTrialMemoryMb, maxDatasetMb });
      // Enqueueing is idempotent, so a Redis restart in the middle is ridden out by doing it again.
      summary = await withQueue(flags, (deps) => retryTransient(() => enqueueSweep(prepared, deps)));
    }
    if (flags.json) {
      console.log(JSON.stringify(summary));
    } else {
      console.log(summary.sweepId);
      console.error(
        `${summary.trials} trials, ${summary.enqueued} newly queued` +
          (summary.enqueued < summary.trials ? ` (${summary.trials - summary.enqueued} already queued or done)` : '') +
          (summary.baselineQueued === undefined
            ? ''
            : `; MiniRocket baseline ${summary.baselineQueued ? 'queued' : 'already queued or done'}`),
      );
    }
  });
}
