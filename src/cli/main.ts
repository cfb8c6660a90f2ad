#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { demoCommand } from './commands/demo.js';
import { bestCommand } from './commands/best.js';
import { cancelCommand } from './commands/cancel-command.js';
import { controllerCommand } from './commands/controller.js';
import { dashboardCommand } from './commands/dashboard.js';
import { predictCommand } from './commands/predict.js';
import { enqueueCommand } from './commands/enqueue-command.js';
import { leaderboardCommand } from './commands/leaderboard.js';
import { modelCommand } from './commands/model.js';
import { statusCommand } from './commands/status.js';
import { sweepsCommand } from './commands/sweeps.js';
import { workerCommand } from './commands/worker-command.js';
import { UserError } from '../util/errors.js';

const program = new Command('lstm-sweep')
  .description('Distributed hyperparameter sweeps of residual LSTM classifiers on BullMQ + Redis')
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

for (const cmd of [
  enqueueCommand(),
  workerCommand(),
  statusCommand(),
  cancelCommand(),
  controllerCommand(),
  leaderboardCommand(),
  sweepsCommand(),
  bestCommand(),
  predictCommand(),
  dashboardCommand(),
  modelCommand(),
  demoCommand(),
]) {
  program.addCommand(cmd.exitOverride());
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode);
  }
  const message = err instanceof Error ? err.message : String(err);
  console.error(`lstm-sweep: ${message.split('\n')[0]}`);
  if (!(err instanceof UserError) && process.env.LSW_DEBUG) console.error(err);
  process.exit(err instanceof UserError ? err.exitCode : 1);
}
