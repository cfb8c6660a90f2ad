import type { SweepSpec } from '../definition/sweep-spec.js';
import type { Trial } from '../definition/trials.js';
import { DEFAULT_MAX_TRIAL_MEMORY_MB, planNetwork, trainingMemoryBytes } from '../model/network-plan.js';
import { TRIAL_DEFAULTS, type TrialConfig } from '../model/trial-config.js';
import { UserError } from '../util/errors.js';

export { DEFAULT_MAX_TRIAL_MEMORY_MB };

const MB = 1024 * 1024;
const size = (bytes: number) => (bytes >= 1024 * MB ? `${(bytes / (1024 * MB)).toFixed(1)} GiB` : `${Math.ceil(bytes / MB)} MiB`);

type SizeConfig = Pick<TrialConfig, 'depth' | 'width' | 'batchSize' | 'head' | 'inputProjection' | 'residual' | 'patch'>;

/** For a tpe sweep, whose trials are not known yet: the largest configurations its space allows. */
function largestOf(spec: SweepSpec): SizeConfig[] {
  const p = spec.parameters;
  const most = (values: unknown, fallback: number) =>
    values === undefined ? fallback : Array.isArray(values) ? Math.max(...(values as number[])) : (values as { max: number }).max;
  const least = (values: unknown, fallback: number) =>
    values === undefined ? fallback : Array.isArray(values) ? Math.min(...(values as number[])) : (values as { min: number }).min;
  const heads = (p.head as TrialConfig['head'][] | undefined) ?? [TRIAL_DEFAULTS.head];
  return heads.map((head) => ({
    depth: most(p.depth, TRIAL_DEFAULTS.depth),
    width: most(p.width, TRIAL_DEFAULTS.width),
    batchSize: most(p.batchSize, TRIAL_DEFAULTS.batchSize),
    head,
    inputProjection: ((p.inputProjection as boolean[] | undefined) ?? [false]).includes(true),
    // the fewest steps patched together keep the most of the series' length in memory
    patch: least(p.patch, 1),
  }));
}

/**
 * Refuses, before anything is stored, a sweep with a trial too big to train: its working memory
 * (src/model/network-plan.ts `trainingMemoryBytes`) above `limitMb`. Such a trial would fail on
 * every worker after a long build, or take the worker's memory with it.
 */
export function checkTrialSizes(
  spec: SweepSpec,
  trials: Trial[],
  shape: { timesteps: number; features: number },
  classes: number,
  limitMb: number,
): void {
  const configs: SizeConfig[] = spec.method === 'tpe' ? largestOf(spec) : trials.map((t) => t.config);
  const seen = new Set<string>();
  let worst: { config: SizeConfig; bytes: ReturnType<typeof trainingMemoryBytes>; paramCount: number } | undefined;
  for (const c of configs) {
    const key = `${c.depth}:${c.width}:${c.batchSize}:${c.head}:${c.inputProjection}:${c.residual}:${c.patch}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const plan = planNetwork(shape, { ...c, dropout: 0, recurrentDropout: 0, seed: 0, classes });
    const bytes = trainingMemoryBytes(plan, c.batchSize);
    if (!worst || bytes.total > worst.bytes.total) worst = { config: c, bytes, paramCount: plan.params };
  }
  if (!worst || worst.bytes.total <= limitMb * MB) return;
  const c = worst.config;
  throw new UserError(
    `a trial of depth ${c.depth}, width ${c.width}, batch ${c.batchSize} needs about ${size(worst.bytes.total)} to train ` +
      `(${worst.paramCount.toLocaleString('en-US')} parameters: ${size(worst.bytes.params)}; activations over ${shape.timesteps} steps: ${size(worst.bytes.activations)}), ` +
      `above the limit of ${size(limitMb * MB)}: shrink depth, width or batchSize, or raise --max-trial-memory (MB; env LSW_MAX_TRIAL_MEMORY_MB)`,
  );
}
