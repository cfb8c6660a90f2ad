#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { UserError } from '../util/errors.js';
import { COMMANDS, invokedCommand } from './command-table.js';
import { terminalLines, terminalText } from './terminal-text.js';

/** Commander's codes for help and --version: everything else it throws is a usage error. */
const NOT_AN_ERROR = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

const program = new Command('lstm-sweep')
  .description('Distributed hyperparameter sweeps of residual LSTM classifiers on BullMQ + Redis')
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)')
  // The list of commands names them only: `lstm-sweep <command> --help` shows the options.
  .configureHelp({ subcommandTerm: (cmd) => cmd.name() })
  .exitOverride();

try {
  // Only the command being run is loaded; the others are listed by name and description.
  const invoked = invokedCommand(process.argv.slice(2));
  for (const entry of COMMANDS) {
    const cmd = entry.name === invoked ? await entry.load() : new Command(entry.name);
    program.addCommand(cmd.description(entry.description).exitOverride());
  }
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Usage errors (unknown command or option, missing argument) exit 2, as every user error does.
    process.exit(NOT_AN_ERROR.has(err.code) && err.exitCode === 0 ? 0 : 2);
  }
  const message = err instanceof Error ? err.message : String(err);
  // Messages may quote records from Redis: shown terminal-safe (terminal-text.ts).
  console.error(`lstm-sweep: ${terminalText(message.split('\n')[0])}`);
  if (!(err instanceof UserError) && process.env.LSW_DEBUG) console.error(terminalLines((err as Error).stack ?? String(err)));
  process.exit(err instanceof UserError ? err.exitCode : 1);
}
