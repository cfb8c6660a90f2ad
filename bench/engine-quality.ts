/**
 * bench:engine-quality: does the fast engine learn as well as the tfjs-layers model? Runs the
 * same sweep (default bench/engine-quality.yaml on ../shared/datasets/GunPoint) with each engine
 * for several seeds, in this process, and compares the best validation metric per seed.
 *
 * Usage: npm run bench:engine-quality -- [--json] [--seeds N] [--spec FILE]
 */
import path from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { toTrainingData } from '../src/data/split.js';
import { normalizeTrainingData } from '../src/data/normalize.js';
import { initBackend, trainTrial, type EngineName } from '../src/model/index.js';
import { loadSpecFile } from '../src/definition/load-spec.js';
import { expandTrials } from '../src/search/initial-trials.js';
import { mean, sampleStd } from '../src/util/stats.js';
import { REPO_ROOT } from './common.js';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const json = argv.includes('--json');
const valueOf = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const seeds = Number(valueOf('--seeds') ?? 3);
const specFile = path.resolve(valueOf('--spec') ?? path.join(REPO_ROOT, 'bench', 'engine-quality.yaml'));
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds needs a whole number >= 1, got ${valueOf('--seeds')}`);

interface SeedResult {
  engine: EngineName;
  seed: number;
  bestConfig: Record<string, unknown>;
  valMetric: number;
  testAccuracy: number | undefined;
  seconds: number;
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const { spec, baseDir } = await loadSpecFile(specFile);
  const dataset = await loadDataset(spec.dataset, { baseDir, classes: 64 });
  const data = normalizeTrainingData(toTrainingData(dataset, spec.dataset), spec.dataset.normalize).data;
  const metric = spec.metric;
  const better = (a: number, b: number) => (metric.goal === 'maximize' ? a > b : a < b);
  const results: SeedResult[] = [];
  for (const engine of ['fast', 'layers'] as const) {
    for (let seed = 0; seed < seeds; seed++) {
      const trials = expandTrials({ ...spec, seeds: [seed] });
      const t0 = performance.now();
      let best: SeedResult | undefined;
      for (const trial of trials) {
        const r = await trainTrial(trial.config, data, { engine });
        const value = r.metrics[metric.name as keyof typeof r.metrics] as number;
        if (!best || better(value, best.valMetric)) {
          best = { engine, seed, bestConfig: trial.config, valMetric: value, testAccuracy: r.metrics.testAcc, seconds: 0 };
        }
      }
      best!.seconds = (performance.now() - t0) / 1000;
      results.push(best!);
      if (!json)
        process.stderr.write(
          `${engine} seed ${seed}: best ${metric.name} ${best!.valMetric.toFixed(4)}, test acc ${best!.testAccuracy?.toFixed(3)} (${trials.length} trials, ${best!.seconds.toFixed(0)} s)\n`,
        );
    }
  }
  const summary = (['fast', 'layers'] as const).map((engine) => {
    const rs = results.filter((r) => r.engine === engine);
    const v = rs.map((r) => r.valMetric);
    const t = rs.map((r) => r.testAccuracy ?? NaN);
    return {
      engine,
      valMean: mean(v),
      valSd: sampleStd(v),
      testAccMean: mean(t),
      testAccSd: sampleStd(t),
      seconds: rs.reduce((s, r) => s + r.seconds, 0),
    };
  });
  const [fast, layers] = summary as [(typeof summary)[0], (typeof summary)[0]];
  const noise = Math.max(fast.valSd, layers.valSd);
  const out = {
    spec: path.relative(REPO_ROOT, specFile),
    metric,
    seeds,
    results,
    summary,
    valDifference: fast.valMean - layers.valMean,
    withinNoise: Math.abs(fast.valMean - layers.valMean) <= 2 * noise,
    speedup: layers.seconds / fast.seconds,
  };
  if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    for (const s of summary) {
      console.log(
        `${s.engine}: best ${metric.name} ${s.valMean.toFixed(4)} ± ${s.valSd.toFixed(4)}, its test accuracy ${s.testAccMean.toFixed(3)} ± ${s.testAccSd.toFixed(3)}, ${s.seconds.toFixed(0)} s`,
      );
    }
    console.log(
      `difference ${out.valDifference.toFixed(4)} (${out.withinNoise ? 'within' : 'OUTSIDE'} 2 sd over seeds); fast engine ${out.speedup.toFixed(1)}x faster`,
    );
  }
}

await main();
