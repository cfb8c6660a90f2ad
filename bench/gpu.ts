/**
 * bench:gpu: training samples/s (training rows per second, summed over trials) of the packed
 * engine (`--engine gpu`: K concurrent trainTrial calls packed into one dispatch per step) for
 * K in {1, 16, 64, 256} at (width, depth) (10, 8), (32, 2), (64, 4), (128, 2); T 32, F 10,
 * batch 32, dropout 0.2, recurrent dropout 0.2, plus the best K again with recurrent dropout 0.
 * Beside it, in the same run: the fast engine on one core and on every core
 * (os.availableParallelism() trials in as many processes), and PyTorch on the same GPU
 * (bench/peers/torch_gpu.py: cuDNN nn.LSTM, trials one after another and 8 concurrent
 * processes) when python3 has torch with CUDA. Every figure is measured after a warm-up epoch
 * over a window in which all of its trials train (./throughput.ts).
 *
 * On a software adapter (SwiftShader) every packed figure is marked cpuEmulation: no speed
 * claims, and the run defaults to --quick.
 *
 * Usage: npm run bench:gpu -- [--json] [--quick | --full] [--engine gpu|fast] [--seconds N]
 *        [--budget-s N] [--shapes 10x8,32x2] [--ks 1,16]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { EngineChoiceSchema, initBackend } from '../src/model/index.js';
import { parseArgs } from './common.js';
import { EMULATION, findAdapter } from './gpu-adapter.js';
import { printTable, reportHeader, SavedReportSchema, summarise, type Figure } from './gpu-report.js';
import { BATCH, DROPOUT, FEATURES, measurePack, runTrialPeer, TIMESTEPS, type Sizes } from './gpu-trials.js';
import { runPeers } from './peer-processes.js';
import { trainFlopsPerSample, wallMs } from './throughput.js';
import { probeTorch, TORCH_CONCURRENT, torchConcurrent, torchSequential } from './torch-gpu-peer.js';

const SHAPES = ['10x8', '32x2', '64x4', '128x2'];
const KS = [1, 16, 64, 256];
const RECURRENT_DROPOUT = 0.2;

const ShapeListSchema = z
  .string()
  .regex(/^\d+x\d+(,\d+x\d+)*$/, '--shapes takes WIDTHxDEPTH[,WIDTHxDEPTH...], e.g. 10x8,32x2')
  .transform((s) => s.split(',').map((p) => p.split('x').map(Number) as [number, number]));
const KListSchema = z
  .string()
  .regex(/^[1-9]\d*(,[1-9]\d*)*$/, '--ks takes positive whole numbers, e.g. 1,16,64')
  .transform((s) => s.split(',').map(Number));
const PeerSchema = z.object({
  width: z.number().int().positive(),
  depth: z.number().int().positive(),
  rows: z.number().int().positive(),
  validation: z.number().int().positive(),
  recurrentDropout: z.number().min(0).lt(1),
  seed: z.number().int().positive(),
});

function usageError(message: string): never {
  console.error(`bench:gpu: ${message}`);
  process.exit(2);
}

function parse(argv: string[]) {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv, {
      flags: ['json', 'quick', 'full', 'adapters'],
      numbers: ['seconds', 'budget-s'],
      strings: ['engine', 'shapes', 'ks', 'peer', 'report'],
    });
  } catch (err) {
    usageError((err as Error).message);
  }
  const field = <T>(schema: z.ZodType<T>, value: string | undefined, fallback: string | undefined): T | undefined => {
    if (value === undefined && fallback === undefined) return undefined;
    const r = schema.safeParse(value ?? fallback);
    if (!r.success) usageError(r.error.issues.map((i) => i.message).join('; '));
    return r.data;
  };
  // a peer is always the fast engine; --adapters and --report train nothing
  const trains = !args.flags.has('adapters') && !args.strings.has('report');
  const engine = EngineChoiceSchema.safeParse(args.strings.get('engine') ?? (args.strings.has('peer') || !trains ? 'fast' : 'gpu'));
  if (!engine.success) {
    usageError(`--engine ${args.strings.get('engine') ?? 'gpu'}: this build's engines are ${EngineChoiceSchema.options.join(', ')}`);
  }
  return {
    json: args.flags.has('json'),
    adapters: args.flags.has('adapters'),
    report: args.strings.get('report'),
    quick: args.flags.has('quick'),
    full: args.flags.has('full'),
    seconds: args.numbers.get('seconds'),
    budgetS: args.numbers.get('budget-s'),
    engine: engine.data,
    shapes: field(ShapeListSchema, args.strings.get('shapes'), undefined),
    ks: field(KListSchema, args.strings.get('ks'), undefined),
    peer: args.strings.has('peer') ? parsePeer(args.strings.get('peer')!) : undefined,
  };
}

/** `--peer JSON`: this script run as one fast-engine trial of the "every core" figure. */
function parsePeer(text: string): z.infer<typeof PeerSchema> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    usageError(`--peer takes JSON, got ${text}`);
  }
  const r = PeerSchema.safeParse(value);
  if (!r.success) usageError(`--peer: ${r.error.message}`);
  return r.data;
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  if (opts.report) return printSaved(opts.report);
  if (opts.adapters) return console.log(await findAdapter().then((a) => (a.adapter ? a.listed : `none: ${a.reason}`)));
  // tfjs builds each trial's initial weights (orthogonal init): wasm is 40x faster at it than cpu
  await initBackend('wasm');
  if (opts.peer) return runTrialPeer('fast', opts.peer, opts.peer.seed);

  const log = (text: string) => process.stderr.write(`${text}\n`);
  const { adapter, reason: adapterReason, listed } = await findAdapter();
  const packedOnGpu = opts.engine === 'gpu';
  if (packedOnGpu && !adapter) {
    console.error(`bench:gpu: --engine gpu needs a WebGPU adapter: ${adapterReason}`);
    process.exit(1);
  }
  const cpuEmulation = packedOnGpu && adapter!.software;
  const noClaim = cpuEmulation
    ? EMULATION
    : packedOnGpu
      ? null
      : `the packed engine here is ${opts.engine}, the targets are the gpu engine's`;
  const quick = opts.quick || (cpuEmulation && !opts.full);
  const shapes = opts.shapes ?? (quick ? SHAPES.slice(0, 2) : SHAPES).map((s) => s.split('x').map(Number) as [number, number]);
  const ks = opts.ks ?? (quick ? [1, 4] : KS);
  const rows = quick ? 64 : 512;
  const validation = quick ? 16 : 64;
  const cores = os.availableParallelism();
  const measurements = shapes.length * (ks.length + 5);
  const seconds = opts.seconds ?? (opts.budgetS ? Math.min(10, Math.max(0.5, (opts.budgetS * 0.4) / measurements)) : quick ? 1 : 3);
  const torch = probeTorch();
  if (cpuEmulation && !opts.json) console.log(EMULATION);
  log(`adapters: ${listed}; packed engine ${opts.engine}; torch: ${torch.version ?? torch.reason}; ${seconds.toFixed(1)} s per figure`);

  const started = wallMs();
  const end = opts.budgetS ? started + opts.budgetS * 1000 : Infinity;
  const figures: Figure[] = [];
  for (const [i, [width, depth]] of shapes.entries()) {
    const shapeEnd = wallMs() + (end - wallMs()) / (shapes.length - i);
    const sizes: Sizes = { width, depth, rows, validation, recurrentDropout: RECURRENT_DROPOUT };
    const flops = trainFlopsPerSample(TIMESTEPS, FEATURES, width, depth);
    const add = async (base: Omit<Figure, 'samplesPerSec' | 'width' | 'depth'>, run: () => Promise<Partial<Figure>>) => {
      log(`(${width}, ${depth}) ${base.kind} ${base.label}`);
      let figure: Figure;
      if (wallMs() > shapeEnd) figure = { ...base, width, depth, samplesPerSec: null, reason: 'skipped: over the time budget' };
      else {
        try {
          const r = await run();
          figure = { ...base, width, depth, samplesPerSec: null, ...r };
          if (figure.samplesPerSec !== null) figure.gflops = (figure.samplesPerSec * flops) / 1e9;
        } catch (err) {
          figure = { ...base, width, depth, samplesPerSec: null, reason: (err as Error).message };
        }
      }
      figures.push(figure);
      return figure;
    };
    const noTorch = async () => ({ reason: `torch: ${torch.reason}` });
    const torchRd0 = { ...sizes, recurrentDropout: 0 };
    await add({ kind: 'torch', label: 'one at a time', trials: 1, recurrentDropout: 0 }, async () =>
      torch.version === null ? noTorch() : torchSequential(torchRd0, seconds),
    );
    await add({ kind: 'torch', label: `${TORCH_CONCURRENT} processes`, trials: TORCH_CONCURRENT, recurrentDropout: 0 }, async () =>
      torch.version === null ? noTorch() : torchConcurrent(torchRd0, seconds),
    );
    for (const n of [1, cores]) {
      const peer = (seed: number) => ({
        command: process.execPath,
        args: [...process.execArgv, process.argv[1]!, '--peer', JSON.stringify({ ...sizes, seed })],
      });
      await add({ kind: 'fast', label: n === 1 ? '1 core' : `${n} cores`, trials: n, recurrentDropout: RECURRENT_DROPOUT }, () =>
        runPeers(
          Array.from({ length: n }, (_, k) => peer(k + 1)),
          seconds,
          180_000 + seconds * 4000,
        ),
      );
    }
    const packed = (k: number, recurrentDropout: number) =>
      add({ kind: 'packed', label: `${k} trials packed`, trials: k, recurrentDropout, ...(cpuEmulation ? { cpuEmulation } : {}) }, () =>
        measurePack(opts.engine, { ...sizes, recurrentDropout }, k, seconds),
      );
    let perTrialMs: number | undefined;
    for (const k of ks) {
      // K trials' setup (model builds) grows with K: leave room for this K and its recurrent-dropout-0 twin
      const estimate = (perTrialMs ?? 0) * k + seconds * 1000;
      if (perTrialMs !== undefined && wallMs() + 2 * estimate > shapeEnd) {
        const base = { kind: 'packed' as const, label: `${k} trials packed`, trials: k, recurrentDropout: RECURRENT_DROPOUT };
        figures.push({
          ...base,
          width,
          depth,
          samplesPerSec: null,
          reason: `skipped: ~${Math.round(estimate / 1000)} s, over the time budget`,
        });
        continue;
      }
      const f = await packed(k, RECURRENT_DROPOUT);
      if (f.setupMs !== undefined) perTrialMs ??= f.setupMs / k;
    }
    const best = summarise(figures, width, depth, noClaim).packedBest;
    if (best) await packed(best.trials, 0);
  }

  const summaries = shapes.map(([w, d]) => summarise(figures, w, d, noClaim));
  const report = {
    engine: opts.engine,
    adapter,
    ...(adapterReason ? { adapterReason } : {}),
    cpuEmulation,
    ...(cpuEmulation ? { note: EMULATION } : {}),
    quick,
    settings: {
      timesteps: TIMESTEPS,
      features: FEATURES,
      batch: BATCH,
      dropout: DROPOUT,
      recurrentDropout: RECURRENT_DROPOUT,
      rows,
      validation,
      secondsPerFigure: seconds,
      budgetS: opts.budgetS ?? null,
      shapes: shapes.map(([width, depth]) => ({ width, depth })),
      ks,
    },
    host: { cores, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    torch: torch.version === null ? null : torch,
    ...(torch.version === null ? { torchReason: torch.reason } : {}),
    figures,
    shapes: summaries,
    wallS: (wallMs() - started) / 1000,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  printTable(figures, summaries, reportHeader(SavedReportSchema.parse(JSON.parse(JSON.stringify(report))), EMULATION));
}

/** `--report FILE`: the table of a saved `--json` report (scripts/gpu-check/run.sh). */
function printSaved(file: string): void {
  let report;
  try {
    report = SavedReportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    usageError(`--report ${file}: not a bench:gpu --json report (${(err as Error).message})`);
  }
  printTable(report.figures, report.shapes, reportHeader(report, EMULATION));
}

await main();
