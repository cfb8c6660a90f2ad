/**
 * bench:gpu's figures side by side: per shape the packed engine's best K against PyTorch one
 * trial at a time, PyTorch 8 concurrent and the fast engine on every core, with the issue's
 * targets; and the table printed to stdout.
 */
import Table from 'cli-table3';
import { z } from 'zod';

export type Kind = 'packed' | 'fast' | 'torch';

export interface Figure {
  kind: Kind;
  /** what ran: 'K trials packed', '1 core', 'N cores', 'one at a time', '8 processes' */
  label: string;
  width: number;
  depth: number;
  /** trials running side by side */
  trials: number;
  recurrentDropout: number;
  samplesPerSec: number | null;
  /** approximate training GFLOP/s of the LSTM matmuls (throughput.ts) */
  gflops?: number;
  setupMs?: number;
  windowMs?: number;
  /** packed figures on a software adapter: measured, but no speed claim */
  cpuEmulation?: boolean;
  reason?: string;
}

/** Issue #16's targets for the packed engine's best K (required where stated, else aim). */
const TARGETS = [
  { ratio: 'vsTorchSequential', required: 3, aim: 10, requiredAt: ['10x8', '32x2'] },
  { ratio: 'vsFastCores', required: 2, aim: 5, requiredAt: ['10x8', '32x2', '64x4', '128x2'] },
  { ratio: 'vsTorchConcurrent8', required: null, aim: 2, requiredAt: [] },
] as const;

type RatioName = (typeof TARGETS)[number]['ratio'] | 'vsFastOneCore';

export interface ShapeSummary {
  width: number;
  depth: number;
  packedBest: { trials: number; samplesPerSec: number } | null;
  /** the packed engine at the best K with recurrent dropout 0, as PyTorch's cuDNN runs */
  packedBestNoRecurrentDropout: number | null;
  ratios: Record<RatioName, number | null>;
  targets: Array<{ ratio: string; value: number | null; required: number | null; aim: number; met: boolean | null; note?: string }>;
}

const rate = (f: Figure | undefined) => f?.samplesPerSec ?? null;
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);

/** `noClaim`: why the targets are not judged (CPU emulation, a packed engine other than gpu), or null. */
export function summarise(figures: Figure[], width: number, depth: number, noClaim: string | null): ShapeSummary {
  const at = figures.filter((f) => f.width === width && f.depth === depth && f.samplesPerSec !== null);
  const packed = at.filter((f) => f.kind === 'packed' && f.recurrentDropout > 0);
  const best = packed.reduce<Figure | undefined>((b, f) => (b && b.samplesPerSec! >= f.samplesPerSec! ? b : f), undefined);
  const noRd = rate(at.find((f) => f.kind === 'packed' && f.recurrentDropout === 0 && f.trials === best?.trials));
  const torchSeq = rate(at.find((f) => f.kind === 'torch' && f.label === 'one at a time'));
  const torchConc = rate(at.find((f) => f.kind === 'torch' && f.label !== 'one at a time'));
  const fastOne = rate(at.find((f) => f.kind === 'fast' && f.trials === 1));
  const fastCores = rate(at.filter((f) => f.kind === 'fast').sort((a, b) => b.trials - a.trials)[0]);
  const ratios: Record<RatioName, number | null> = {
    // PyTorch's cuDNN has no recurrent dropout: compared with the packed run without it
    vsTorchSequential: ratio(noRd, torchSeq),
    vsTorchConcurrent8: ratio(noRd, torchConc),
    vsFastCores: ratio(rate(best), fastCores),
    vsFastOneCore: ratio(rate(best), fastOne),
  };
  const shape = `${width}x${depth}`;
  const targets = TARGETS.map((t) => {
    const value = ratios[t.ratio];
    const required = (t.requiredAt as readonly string[]).includes(shape) ? t.required : null;
    const note = noClaim ?? (value === null ? 'not measured' : undefined);
    return {
      ratio: t.ratio,
      value,
      required,
      aim: t.aim,
      met: noClaim !== null || value === null ? null : value >= (required ?? t.aim),
      ...(note ? { note } : {}),
    };
  });
  return {
    width,
    depth,
    packedBest: best ? { trials: best.trials, samplesPerSec: best.samplesPerSec! } : null,
    packedBestNoRecurrentDropout: noRd,
    ratios,
    targets,
  };
}

const fmt = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '-' : v.toFixed(digits));

export function printTable(figures: Figure[], summaries: ShapeSummary[], header: string[]): void {
  for (const line of header) console.log(line);
  const table = new Table({ head: ['width x depth', 'engine', 'run', 'rec. dropout', 'samples/s', 'GFLOP/s', 'setup s', 'note'] });
  for (const f of figures) {
    table.push([
      `${f.width} x ${f.depth}`,
      f.kind,
      f.label,
      f.recurrentDropout,
      fmt(f.samplesPerSec),
      fmt(f.gflops, 2),
      f.setupMs === undefined ? '-' : (f.setupMs / 1000).toFixed(1),
      [f.cpuEmulation ? 'CPU emulation' : '', f.reason ?? ''].filter(Boolean).join('; '),
    ]);
  }
  console.log(table.toString());
  for (const s of summaries) {
    const r = s.ratios;
    console.log(
      `(${s.width}, ${s.depth}) packed best K ${s.packedBest?.trials ?? '-'}: ` +
        `${fmt(r.vsTorchSequential, 2)}x torch one at a time, ${fmt(r.vsTorchConcurrent8, 2)}x torch 8 concurrent, ` +
        `${fmt(r.vsFastCores, 2)}x fast on all cores, ${fmt(r.vsFastOneCore, 2)}x fast on one core`,
    );
    for (const t of s.targets.filter((t) => t.required !== null || t.value !== null)) {
      const goal = t.required !== null ? `required ${t.required}x, aim ${t.aim}x` : `aim ${t.aim}x`;
      console.log(`  target ${t.ratio} ${goal}: ${t.note ?? (t.met ? 'met' : 'MISSED')}`);
    }
  }
}

const NullableNumber = z.number().nullable();
/** What `--report FILE` reads back: the parts of a saved `--json` report that the table shows. */
export const SavedReportSchema = z.object({
  engine: z.string(),
  adapter: z.object({ description: z.string(), backend: z.string() }).nullable(),
  cpuEmulation: z.boolean(),
  host: z.object({ cores: z.number() }),
  torch: z.object({ version: z.string(), device: z.string() }).nullable(),
  torchReason: z.string().optional(),
  figures: z.array(
    z.object({
      kind: z.enum(['packed', 'fast', 'torch']),
      label: z.string(),
      width: z.number(),
      depth: z.number(),
      trials: z.number(),
      recurrentDropout: z.number(),
      samplesPerSec: NullableNumber,
      gflops: z.number().optional(),
      setupMs: z.number().optional(),
      windowMs: z.number().optional(),
      cpuEmulation: z.boolean().optional(),
      reason: z.string().optional(),
    }),
  ),
  shapes: z.array(
    z.object({
      width: z.number(),
      depth: z.number(),
      packedBest: z.object({ trials: z.number(), samplesPerSec: z.number() }).nullable(),
      packedBestNoRecurrentDropout: NullableNumber,
      ratios: z.object({
        vsTorchSequential: NullableNumber,
        vsTorchConcurrent8: NullableNumber,
        vsFastCores: NullableNumber,
        vsFastOneCore: NullableNumber,
      }),
      targets: z.array(
        z.object({
          ratio: z.string(),
          value: NullableNumber,
          required: NullableNumber,
          aim: z.number(),
          met: z.boolean().nullable(),
          note: z.string().optional(),
        }),
      ),
    }),
  ),
});
export type SavedReport = z.infer<typeof SavedReportSchema>;

export function reportHeader(
  r: Pick<SavedReport, 'engine' | 'adapter' | 'cpuEmulation' | 'host' | 'torch' | 'torchReason'>,
  emulation: string,
): string[] {
  const on = r.adapter ? `${r.adapter.description} (${r.adapter.backend})` : 'no adapter';
  const torch = r.torch ? `${r.torch.version} on ${r.torch.device}` : `unavailable (${r.torchReason ?? 'unknown'})`;
  return [`packed engine ${r.engine} on ${on}; ${r.host.cores} cores; torch ${torch}`, ...(r.cpuEmulation ? [emulation] : [])];
}
