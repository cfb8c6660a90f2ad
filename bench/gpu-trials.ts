/**
 * The trials bench:gpu times: synthetic two-class data of the shape (T 32, F 10), trial
 * configs that differ only in seed, and K trainTrial calls run side by side in this process
 * (with engine 'gpu' they are packed into one dispatch per step), each stopping at the first
 * epoch end past a common deadline that is set once every trial has finished its warm-up epoch.
 */
import { createInterface } from 'node:readline';
import type { TrainingData, Split } from '../src/data/types.js';
import { trainTrial } from '../src/model/train.js';
import type { EngineChoice } from '../src/model/choices.js';
import type { TrialConfig } from '../src/model/trial-config.js';
import { createRng } from '../src/util/rng.js';
import { UntilMessageSchema } from './peer-processes.js';
import { wallMs, windowRate, type TrialTiming, type WindowRate } from './throughput.js';

export const TIMESTEPS = 32;
export const FEATURES = 10;
export const BATCH = 32;
export const DROPOUT = 0.2;

export interface Sizes {
  width: number;
  depth: number;
  /** training rows (validation rows: `validation`) */
  rows: number;
  validation: number;
  recurrentDropout: number;
}

function split(n: number, seed: number): Split {
  const rng = createRng(seed);
  const y = Float32Array.from({ length: n }, (_, i) => i % 2);
  // class 1 is shifted up a little, so the loss has something to learn
  const x = Float32Array.from(
    { length: n * TIMESTEPS * FEATURES },
    (_, j) => rng() * 2 - 1 + 0.3 * y[Math.floor(j / (TIMESTEPS * FEATURES))]!,
  );
  return { n, timesteps: TIMESTEPS, features: FEATURES, x, y };
}

export function syntheticData(rows: number, validation: number): TrainingData {
  return { train: split(rows, 1), validation: split(validation, 2) };
}

export function trialConfig(sizes: Sizes, seed: number): TrialConfig {
  return {
    depth: sizes.depth,
    width: sizes.width,
    dropout: DROPOUT,
    recurrentDropout: sizes.recurrentDropout,
    learningRate: 1e-3,
    batchSize: BATCH,
    // the deadline ends training, never the epoch budget
    epochs: 100_000,
    patience: 0,
    head: 'dense',
    seed,
  };
}

/** Deadline shared by trials that run side by side: set `seconds` ahead once all are warm. */
class Deadline {
  private warm = 0;
  until: number | undefined;
  constructor(
    private readonly trials: number,
    private readonly seconds: number,
  ) {}
  warmed(): void {
    if (++this.warm === this.trials) this.until = wallMs() + this.seconds * 1000;
  }
  passed(): boolean {
    return this.until !== undefined && wallMs() >= this.until;
  }
}

/** Trains one trial, recording its epochs' spans; `onWarm` after epoch 1, stops when `stop()` says so. */
async function timedTrial(
  config: TrialConfig,
  data: TrainingData,
  engine: EngineChoice,
  onWarm: () => void,
  stop: () => boolean,
  signal?: AbortSignal,
): Promise<TrialTiming> {
  const epochs: [number, number][] = [];
  await trainTrial(config, data, {
    engine,
    ...(signal ? { signal } : {}),
    onEpoch: (e) => {
      const end = wallMs();
      epochs.push([epochs.at(-1)?.[1] ?? end - e.durationMs, end]);
      if (e.epoch === 1) onWarm();
      return e.epoch >= 2 && stop() ? 'stop' : undefined;
    },
  });
  return { rows: data.train.n, epochs };
}

export interface PackRate extends WindowRate {
  /** from the calls to the end of the slowest trial's warm-up epoch: model builds, uploads, compilation */
  setupMs: number;
}

/** K trials of `sizes` side by side in this process (seeds 1..K), timed over their common window. */
export async function measurePack(engine: EngineChoice, sizes: Sizes, trials: number, seconds: number): Promise<PackRate> {
  const data = syntheticData(sizes.rows, sizes.validation);
  const deadline = new Deadline(trials, seconds);
  // one trial failing stops the others (they would wait forever for the deadline)
  const abort = new AbortController();
  const t0 = wallMs();
  const settled = await Promise.allSettled(
    Array.from({ length: trials }, (_, k) =>
      timedTrial(
        trialConfig(sizes, k + 1),
        data,
        engine,
        () => deadline.warmed(),
        () => deadline.passed(),
        abort.signal,
      ).catch((err: unknown) => {
        abort.abort();
        throw err;
      }),
    ),
  );
  const failed = settled.find((s) => s.status === 'rejected' && !(s.reason instanceof Error && s.reason.name === 'AbortError'));
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const timings = settled.map((s) => (s as PromiseFulfilledResult<TrialTiming>).value);
  const setupMs = Math.max(...timings.map((t) => t.epochs[0]![1])) - t0;
  return { ...windowRate(timings), setupMs };
}

/**
 * One fast-engine trial as a peer process (see ./peer-processes.ts): reports warm after epoch 1,
 * then trains until the bench's deadline arrives on stdin.
 */
export async function runTrialPeer(engine: EngineChoice, sizes: Sizes, seed: number): Promise<void> {
  let until: number | undefined;
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    until = UntilMessageSchema.parse(JSON.parse(line)).until;
  });
  const data = syntheticData(sizes.rows, sizes.validation);
  const timing = await timedTrial(
    trialConfig(sizes, seed),
    data,
    engine,
    () => process.stdout.write(`${JSON.stringify({ type: 'warm' })}\n`),
    () => until !== undefined && wallMs() >= until,
  );
  process.stdout.write(`${JSON.stringify({ type: 'done', ...timing })}\n`);
  lines.close();
}
