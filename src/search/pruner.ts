/**
 * Stops unpromising trials early (one strategy per file under `pruners/`). A trial reports its
 * validation metric at the pruner's checkpoints; the pruner answers whether it goes on. Its
 * state lives in the store, so every worker's trials are compared with each other.
 */
export interface Pruner {
  /** Whether the trial reports at this epoch (of a trial of `maxEpochs`). */
  isCheckpoint(epoch: number, maxEpochs: number): boolean;
  /** true: the trial goes on; false: prune it. */
  report(sweepId: string, trialId: string, epoch: number, value: number): Promise<boolean>;
}
