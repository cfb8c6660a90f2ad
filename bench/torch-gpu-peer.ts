/**
 * bench:gpu's PyTorch peer (bench/peers/torch_gpu.py) on the same GPU: probed once, then per
 * shape trials one after another and 8 trials in 8 concurrent processes. Missing python3,
 * torch or CUDA is a reason in the report, never a failure.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runPeers } from './peer-processes.js';
import { BATCH, FEATURES, TIMESTEPS, type Sizes } from './gpu-trials.js';
import type { WindowRate } from './throughput.js';

/** Next to this file in the repository and in the gpu-check kit's bundle alike. */
const SCRIPT = fileURLToPath(new URL('./peers/torch_gpu.py', import.meta.url));
const PYTHON = process.env.LSW_BENCH_PYTHON ?? 'python3';
/** Ray Tune's fractional GPUs: 8 trials share the GPU, one process each. */
export const TORCH_CONCURRENT = 8;
/** Trials of the one-at-a-time sweep (each gets an equal share of the measurement). */
const SEQUENTIAL_TRIALS = 3;

const ProbeSchema = z.object({ torch: z.string(), cuda: z.boolean(), device: z.string().nullable() });
const SequentialSchema = z.object({ samplesPerSec: z.number().positive(), trials: z.number(), setupMs: z.number() });

/** version and device when torch sees a CUDA device; else version null and the reason. */
export interface TorchInfo {
  version: string | null;
  device?: string;
  reason?: string;
}

function lastJsonLine(stdout: string): unknown {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
}

export function probeTorch(): TorchInfo {
  const run = spawnSync(PYTHON, [SCRIPT, 'probe'], { encoding: 'utf8', timeout: 120_000 });
  if (run.error) return { version: null, reason: `${PYTHON} not runnable: ${run.error.message}` };
  if (run.status !== 0)
    return { version: null, reason: `torch not importable: ${run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`}` };
  const probe = ProbeSchema.parse(lastJsonLine(run.stdout));
  if (!probe.cuda || !probe.device) return { version: null, reason: `torch ${probe.torch} sees no CUDA device` };
  return { version: probe.torch, device: probe.device };
}

const shapeArgs = (s: Sizes) => [s.width, s.depth, s.rows, s.validation, BATCH, TIMESTEPS, FEATURES].map(String);

/** Trials one after another in one process: samples/s after each trial's warm-up epoch. */
export function torchSequential(sizes: Sizes, seconds: number): { samplesPerSec: number; setupMs: number } {
  const run = spawnSync(PYTHON, [SCRIPT, 'sequential', ...shapeArgs(sizes), String(seconds), String(SEQUENTIAL_TRIALS)], {
    encoding: 'utf8',
    timeout: 120_000 + seconds * 3000,
  });
  if (run.status !== 0) throw new Error(`torch sequential failed: ${run.error?.message ?? run.stderr.trim().split('\n').at(-1)}`);
  return SequentialSchema.parse(lastJsonLine(run.stdout));
}

/** 8 trials in 8 processes on the one GPU, timed over their common window. */
export function torchConcurrent(sizes: Sizes, seconds: number): Promise<WindowRate> {
  const peers = Array.from({ length: TORCH_CONCURRENT }, (_, k) => ({
    command: PYTHON,
    args: [SCRIPT, 'peer', ...shapeArgs(sizes), String(k + 1)],
  }));
  return runPeers(peers, seconds, 180_000 + seconds * 3000);
}
