/** How a dry-run sweep's parameters map onto a synthetic objective, and what is refused. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeSyntheticUcr } from '../../../src/data/synthetic.js';
import { loadSpecFile, parseSpecText } from '../../../src/definition/load-spec.js';
import { DRY_RUN_OBJECTIVES, SweepSpecSchema, type SweepSpecInput } from '../../../src/definition/sweep-spec.js';
import { trialOf } from '../../../src/definition/trials.js';
import { prepareSweep } from '../../../src/producer/enqueue.js';
import { TrialJobSchema } from '../../../src/queue/trial-job.js';
import { ObjectiveFitError, evaluateFit, fitObjective, objectivePoint } from '../../../src/search/objective-fit.js';
import { OBJECTIVES, type Objective } from '../../../src/search/objectives.js';
import { sweepSpace, type ParameterSpace } from '../../../src/search/space.js';
import { UserError } from '../../../src/util/errors.js';
import { dryRunTrial } from '../../../src/worker/dry-run.js';

const parameters = (p: SweepSpecInput['parameters']) =>
  SweepSpecSchema.parse({ name: 'x', dataset: { train: 't.csv' }, method: 'random', count: 1, parameters: p }).parameters;
const spaceOf = (p: SweepSpecInput['parameters']) => sweepSpace(parameters(p));

/** A made-up objective with one dimension of each kind, so the test does not depend on the real ones' layout. */
const MIXED: Objective = {
  name: 'toy',
  space: [
    { kind: 'float', name: 'a', min: -1, max: 1, log: false },
    { kind: 'float', name: 'c', min: 1e-3, max: 10, log: true },
    { kind: 'categorical', name: 'b', values: ['p', 'q', 'r'] },
    { kind: 'int', name: 'd', min: 0, max: 3, log: false },
  ],
  evaluate: (x) => (x.a as number) ** 2 + ['p', 'q', 'r'].indexOf(x.b as string) + Math.abs(Math.log10(x.c as number)) + (x.d as number),
  optimum: 0,
};

/** Six ranges of three kinds (int, float, log-float), in the vocabulary's order. */
const HARTMANN_SPACE = {
  width: { min: 1, max: 4096 },
  dropout: { min: 0, max: 0.9 },
  recurrentDropout: { min: 0, max: 0.9 },
  learningRate: { min: 1e-5, max: 1, log: true },
  batchSize: { min: 1, max: 65536 },
  clipNorm: { min: 0, max: 100 },
};

describe('dry-run objectives', () => {
  test('the spec offers exactly the objectives src/search/objectives.ts defines', () => {
    assert.deepEqual([...DRY_RUN_OBJECTIVES].sort(), Object.keys(OBJECTIVES).sort());
    for (const name of DRY_RUN_OBJECTIVES) assert.equal(OBJECTIVES[name].name, name);
  });

  test('the i-th varied parameter (vocabulary order) gives the i-th dimension; ranges rescale, log-aware; lists by position', () => {
    // written out of order: the vocabulary's order (depth, dropout, learningRate, head, clipNorm) decides
    const space = spaceOf({
      clipNorm: { min: 0, max: 6 },
      head: ['dense', 'lstm', 'dense'] as never,
      learningRate: { min: 0.001, max: 0.1, log: true },
      dropout: { min: 0.2, max: 0.6 },
      epochs: [30], // one value: fixed, not mapped
    });
    const fit = fitObjective(MIXED, space);
    assert.deepEqual(
      fit.from.map((d) => d.name),
      ['dropout', 'learningRate', 'head', 'clipNorm'],
    );
    const at = (dropout: number, head: string, learningRate: number, clipNorm: number) =>
      objectivePoint(fit, { dropout, head, learningRate, clipNorm, epochs: 30 });
    assert.deepEqual(at(0.2, 'dense', 0.001, 0), { a: -1, c: 1e-3, b: 'p', d: 0 });
    assert.deepEqual(at(0.6, 'lstm', 0.1, 6), { a: 1, c: 10, b: 'q', d: 3 });
    const mid = at(0.4, 'dense', 0.01, 3); // the log range's geometric middle is the log dimension's
    assert.ok(Math.abs(mid.a as number) < 1e-12);
    assert.ok(Math.abs((mid.c as number) - Math.sqrt(1e-3 * 10)) < 1e-12);
    // an int dimension is rounded: clipNorm 0..6 gives 0, 0.5, ..., 3
    assert.deepEqual(
      [0.9, 1.1, 2.9, 3.1, 5.1].map((clipNorm) => at(0.2, 'dense', 0.001, clipNorm).d),
      [0, 1, 1, 2, 3],
    );
    assert.equal(evaluateFit(fit, { dropout: 0.4, head: 'dense', learningRate: 0.1, clipNorm: 0 }), 0 + 0 + 1 + 0);
  });

  test('mixed10 by name: ranges equal to its dimensions map each value onto itself, whatever the vocabulary order', () => {
    const m = OBJECTIVES.mixed10;
    const p = Object.fromEntries(
      m.space.map((d) => [d.name, d.kind === 'categorical' ? d.values : { min: d.min, max: d.max, log: d.log }]),
    ) as SweepSpecInput['parameters'];
    const fit = fitObjective(m, spaceOf(p));
    assert.deepEqual(
      fit.from.map((d) => d.name),
      m.space.map((d) => d.name),
    );
    const point = {
      depth: 3,
      width: 64,
      dropout: 0.1 + 0.05 * Math.log(4),
      recurrentDropout: 0,
      learningRate: 0.003,
      batchSize: 32,
      patch: 4,
      head: 'dense',
      residual: true,
      lrSchedule: 'cosine',
    };
    const mapped = objectivePoint(fit, point);
    for (const [k, v] of Object.entries(point)) {
      if (typeof v === 'number')
        assert.ok(Math.abs((mapped[k] as number) - v) < 1e-9 * Math.max(1, v), `${k}: ${String(mapped[k])} vs ${v}`);
      else assert.equal(mapped[k], v);
    }
    assert.ok(evaluateFit(fit, point) - m.optimum < 1e-12);
  });

  test('hartmann6 from six ranges of three kinds: endpoints and the optimum are reachable', () => {
    const h = OBJECTIVES.hartmann6;
    const fit = fitObjective(h, spaceOf(HARTMANN_SPACE));
    const low = objectivePoint(fit, { width: 1, dropout: 0, recurrentDropout: 0, learningRate: 1e-5, batchSize: 1, clipNorm: 0 });
    const high = objectivePoint(fit, {
      width: 4096,
      dropout: 0.9,
      recurrentDropout: 0.9,
      learningRate: 1,
      batchSize: 65536,
      clipNorm: 100,
    });
    assert.deepEqual(
      Object.values(low),
      h.space.map((d) => (d.kind === 'categorical' ? undefined : d.min)),
    );
    assert.deepEqual(
      Object.values(high),
      h.space.map((d) => (d.kind === 'categorical' ? undefined : d.max)),
    );
    // The best of a dense random sample of sweep points comes close to the known optimum.
    let best = Infinity;
    let seed = 1;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 20000; i++) {
      best = Math.min(
        best,
        evaluateFit(fit, {
          width: 1 + Math.floor(rand() * 4096),
          dropout: rand() * 0.9,
          recurrentDropout: rand() * 0.9,
          learningRate: 1e-5 * 1e5 ** rand(),
          batchSize: 1 + Math.floor(rand() * 65536),
          clipNorm: rand() * 100,
        }),
      );
      assert.ok(best >= h.optimum - 1e-6, `${best} below the optimum`);
    }
    assert.ok(best - h.optimum < 1.5, `best of 20,000 random points ${best} vs optimum ${h.optimum}`);
  });

  test('refusals say what does not fit and what to change', () => {
    const refuses = (p: SweepSpecInput['parameters'], objective: Objective, pattern: RegExp) =>
      assert.throws(
        () => fitObjective(objective, spaceOf(p)),
        (err: unknown) => err instanceof ObjectiveFitError && (pattern.test(err.message) || assert.fail(err.message)),
      );
    refuses(
      { depth: { min: 1, max: 8 }, width: [4, 8], dropout: [0.1] },
      OBJECTIVES.hartmann6,
      /hartmann6 has 6 dimensions \(.*\), but the sweep varies 2 parameters \(depth, width\): vary exactly 6/,
    );
    refuses({}, MIXED, /the sweep varies 0 parameters \(none\)/);
    refuses(
      { depth: [1, 2], head: ['dense', 'lstm'], learningRate: { min: 0.001, max: 0.1 }, clipNorm: { min: 0, max: 1 } },
      MIXED,
      /parameter depth is a list but maps onto toy's dimension 1 \(a: float in \[-1, 1\]\): give it a \{min, max\} range/,
    );
    refuses(
      { dropout: { min: 0, max: 0.5 }, width: { min: 1, max: 9 }, learningRate: { min: 0.001, max: 0.1 }, clipNorm: { min: 0, max: 1 } },
      MIXED,
      /parameter learningRate is a range but maps onto toy's dimension 3 \(b: categorical, 3 values\): give it a list of 3 values/,
    );
    refuses(
      { depth: { min: 1, max: 4 }, head: ['dense', 'lstm'], learningRate: { min: 0.001, max: 0.1 }, clipNorm: { min: 0, max: 1 } },
      MIXED,
      /parameter head lists 2 values but maps onto toy's dimension 3 .*: list exactly 3/,
    );
  });

  test('the spec: an unknown objective, and a metric other than valLoss minimised, are refused', () => {
    const spec = (extra: string) => `name: x\ndataset: { train: t.csv }\nmethod: tpe\ncount: 8\n${extra}`;
    assert.throws(
      () => parseSpecText(spec('dryRun: { objective: sphere }'), 's.yaml'),
      /dryRun\.objective: must be one of branin \| hartmann6 \| rosenbrock4 \| mixed10/,
    );
    assert.throws(
      () => parseSpecText(spec('dryRun: { objective: branin }'), 's.yaml'),
      /metric: a dry run on branin reports the function's value as valLoss, to be minimised: set metric: \{ name: valLoss, goal: minimize \}/,
    );
    const ok = parseSpecText(spec('dryRun: { objective: branin }\nmetric: { name: valLoss, goal: minimize }'), 's.yaml');
    assert.deepEqual(ok.dryRun, { objective: 'branin' });
    assert.equal(parseSpecText(spec('dryRun: true'), 's.yaml').dryRun, true);
  });

  test('a worker reports the objective at the trial config as valLoss', async () => {
    const params = parameters(HARTMANN_SPACE) as ParameterSpace;
    const assignment = { width: 100, dropout: 0.3, recurrentDropout: 0.1, learningRate: 0.01, batchSize: 500, clipNorm: 30 };
    const trial = trialOf(assignment, 1);
    const job = TrialJobSchema.parse({
      sweepId: 'x-0123456789',
      trialId: trial.trialId,
      datasetHash: 'a'.repeat(64),
      validationSplit: 0.2,
      splitSeed: 0,
      metric: { name: 'valLoss', goal: 'minimize' },
      config: trial.config,
      dryRun: { objective: 'hartmann6' },
    });
    const result = await dryRunTrial(job, params);
    const expected = evaluateFit(fitObjective(OBJECTIVES.hartmann6, sweepSpace(params)), assignment);
    assert.equal(result.metrics.valLoss, expected);
    assert.ok(Number.isNaN(result.metrics.valAuc));
  });
});

describe('enqueue', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-objfit-'));
    await writeSyntheticUcr(dir, { trainSize: 16, testSize: 4, timesteps: 8, seed: 3 });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a sweep whose parameters do not fit its objective is refused before anything is stored', async () => {
    const file = path.join(dir, 'bad.yaml');
    const lines = ['name: bad', 'dataset: { train: train.csv }', 'method: tpe', 'count: 8', 'metric: { name: valLoss, goal: minimize }'];
    await writeFile(file, [...lines, 'dryRun: { objective: hartmann6 }', 'parameters: { depth: { min: 1, max: 4 } }'].join('\n'));
    await assert.rejects(
      prepareSweep(await loadSpecFile(file)),
      (err: unknown) => err instanceof UserError && /vary exactly 6/.test(err.message),
    );
    const good = path.join(dir, 'good.yaml');
    const six = Object.entries(HARTMANN_SPACE).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
    await writeFile(good, [...lines, 'dryRun: { objective: hartmann6 }', 'parameters:', ...six].join('\n'));
    const prepared = await prepareSweep(await loadSpecFile(good));
    assert.deepEqual(prepared.spec.dryRun, { objective: 'hartmann6' });
  });
});
