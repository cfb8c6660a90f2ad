import type { Command } from 'commander';

/**
 * Every command of the CLI: its name, the one line `lstm-sweep --help` shows, and how to load it.
 * A command's module (its options, its action and everything they import) is loaded only when
 * that command runs, so `status` never pays for TensorFlow.js, BullMQ workers or express
 * (test/e2e/cli-start.test.ts checks what each light command loads).
 */
export interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'enqueue',
    description: 'validate a sweep spec and its dataset, store them in Redis and queue one job per trial',
    load: async () => (await import('./commands/enqueue-command.js')).enqueueCommand(),
  },
  {
    name: 'worker',
    description:
      'take trials from the queue, train them and write results to Redis (SIGTERM/Ctrl-C: finish current trials within --grace, else hand them back, then exit)',
    load: async () => (await import('./commands/worker-command.js')).workerCommand(),
  },
  {
    name: 'status',
    description: 'trial counts of a sweep: total, waiting, active, completed, failed',
    load: async () => (await import('./commands/status.js')).statusCommand(),
  },
  {
    name: 'cancel',
    description: 'remove the queued trials of a sweep (trials in training finish; results are kept; undo with enqueue --resume)',
    load: async () => (await import('./commands/cancel-command.js')).cancelCommand(),
  },
  {
    name: 'controller',
    description: 'keep a tpe sweep supplied with suggested trials until its budget is spent (optional: workers do it too)',
    load: async () => (await import('./commands/controller.js')).controllerCommand(),
  },
  {
    name: 'leaderboard',
    description: "a sweep's finished trials ranked by its metric, best first",
    load: async () => (await import('./commands/leaderboard.js')).leaderboardCommand(),
  },
  {
    name: 'compare',
    description: 'paired comparisons: trials that differ only in one parameter (--by residual), the mean difference with a 95% interval',
    load: async () => (await import('./commands/compare.js')).compareCommand(),
  },
  {
    name: 'sweeps',
    description: 'list sweeps, newest first, with their progress',
    load: async () => (await import('./commands/sweeps.js')).sweepsCommand(),
  },
  {
    name: 'best',
    description: "show a sweep's best trial; --export saves its trained model as a standard tfjs-layers model",
    load: async () => (await import('./commands/best.js')).bestCommand(),
  },
  {
    name: 'predict',
    description: 'probabilities and labels for new series from a model saved by `best --export`',
    load: async () => (await import('./commands/predict.js')).predictCommand(),
  },
  {
    name: 'dashboard',
    description: 'web dashboard: sweeps, leaderboards, learning curves, hyperparameter effects, live updates; the queue under /queues',
    load: async () => (await import('./commands/dashboard.js')).dashboardCommand(),
  },
  {
    name: 'model',
    description: 'print the Keras-style summary of a residual LSTM variant',
    load: async () => (await import('./commands/model.js')).modelCommand(),
  },
  {
    name: 'demo',
    description: 'run a small real sweep end to end: Redis, 2 worker processes, training, leaderboard',
    load: async () => (await import('./commands/demo.js')).demoCommand(),
  },
];

/**
 * The command an argument list runs, as commander routes it: the first operand (the program
 * itself has no options but --help and --version), or the one after `help`.
 */
export function invokedCommand(args: readonly string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}
