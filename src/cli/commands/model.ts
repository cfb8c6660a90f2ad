import { Command } from 'commander';
import { z } from 'zod';
import { BackendChoiceSchema } from '../../model/choices.js';
import { HeadSchema } from '../../model/trial-config.js';
import { intFlag, parseFlags } from '../options.js';

const FlagsSchema = z.object({
  timesteps: intFlag(1, 100_000),
  features: intFlag(1, 100_000),
  width: intFlag(1, 4096),
  depth: intFlag(1, 64),
  head: HeadSchema.default('dense'),
  dropout: z.coerce.number().min(0).lt(1).default(0),
  recurrentDropout: z.coerce.number().min(0).lt(1).default(0),
  patch: z.coerce
    .number()
    .int({ message: 'patch must be a whole number of time steps (1 = no patching)' })
    .min(1, { message: 'patch must be at least 1 (1 = no patching)' })
    .max(4096)
    .default(1),
  backend: BackendChoiceSchema.default('auto'),
});

export function modelCommand(): Command {
  return new Command('model')
    .requiredOption('--timesteps <n>', 'time steps per sample')
    .requiredOption('--features <n>', 'features per time step')
    .requiredOption('--width <n>', 'LSTM units per layer')
    .requiredOption('--depth <n>', 'stacked LSTM layers')
    .option('--head <head>', 'dense (Dense(1, sigmoid)) | lstm (last block replaced by LSTM(1, sigmoid))', 'dense')
    .option('--dropout <rate>', 'input dropout of every LSTM layer', '0')
    .option('--recurrent-dropout <rate>', 'recurrent dropout of every LSTM layer', '0')
    .option('--patch <P>', 'input patching: P consecutive steps as one, (T, F) -> (ceil(T/P), P*F), zero-padded', '1')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(FlagsSchema, raw);
      // TensorFlow.js takes most of a second to load: only the commands that train or build pay it.
      const { buildModel, formatSummary, initBackend } = await import('../../model/index.js');
      await initBackend(flags.backend);
      const model = buildModel(
        { timesteps: flags.timesteps, features: flags.features },
        {
          depth: flags.depth,
          width: flags.width,
          dropout: flags.dropout,
          recurrentDropout: flags.recurrentDropout,
          head: flags.head,
          patch: flags.patch,
          seed: 0,
        },
      );
      console.log(formatSummary(model));
      model.dispose();
    });
}
