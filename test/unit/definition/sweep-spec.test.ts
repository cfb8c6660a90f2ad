import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSpecText } from '../../../src/definition/load-spec.js';
import { countTrials } from '../../../src/definition/trials.js';
import { expandTrials } from '../../../src/search/initial-trials.js';
import { UserError } from '../../../src/util/errors.js';
import { sweepIdOf } from '../../../src/producer/sweep-id.js';
import { baselineOf } from '../../../src/definition/sweep-spec.js';
import { BaselineJobSchema, baselineJobFor, baselineJobId } from '../../../src/queue/baseline-job.js';

const BASE = `
name: test-sweep
dataset: { train: data/train.csv, test: data/test.csv, format: ucr, validationSplit: 0.2 }
method: grid
parameters:
  depth: [1, 2, 4]
  width: [16, 32]
  dropout: [0.0, 0.2]
  recurrentDropout: [0.0]
  learningRate: [0.001]
  batchSize: [32]
  epochs: [20]
metric: { name: valAuc, goal: maximize }
seeds: [1]
`;

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseSpecText(text, 'sweep.yaml'),
    (err: unknown) => err instanceof UserError && pattern.test(err.message) && err.message.startsWith('sweep.yaml'),
  );
}

describe('sweep spec', () => {
  test('the documented example parses with defaults filled in', () => {
    const spec = parseSpecText(BASE, 'sweep.yaml');
    assert.equal(spec.name, 'test-sweep');
    assert.equal(spec.dataset.splitSeed, 0);
    assert.deepEqual(spec.parameters.depth, [1, 2, 4]);
    assert.equal(spec.parameters.head, undefined);
  });

  test('JSON works too', () => {
    const spec = parseSpecText(JSON.stringify({ name: 'j', dataset: { train: 't.csv' }, parameters: { depth: [3] } }), 'sweep.json');
    assert.equal(spec.method, 'grid');
    assert.deepEqual(spec.metric, { name: 'valAuc', goal: 'maximize' });
  });

  test('malformed YAML is a one-line error', () => rejects('name: [unclosed\n', /not valid YAML/));
  test('unknown top-level key', () => rejects(`${BASE}\nbogus: 1\n`, /Unrecognized key.*bogus/i));
  test('unknown parameter', () => rejects(BASE.replace('depth:', 'depht:'), /parameters.*depht/i));
  test('depth < 1', () => rejects(BASE.replace('depth: [1, 2, 4]', 'depth: [0, 2]'), /parameters\.depth\[0\]/));
  test('width 0', () => rejects(BASE.replace('width: [16, 32]', 'width: [0]'), /parameters\.width\[0\]/));
  test('dropout 1', () => rejects(BASE.replace('dropout: [0.0, 0.2]', 'dropout: [1.0]'), /parameters\.dropout\[0\]/));
  test('wrong type', () => rejects(BASE.replace('width: [16, 32]', 'width: ["wide"]'), /parameters\.width\[0\]/));
  test('non-integer depth', () => rejects(BASE.replace('depth: [1, 2, 4]', 'depth: [1.5]'), /parameters\.depth/));
  test('empty list', () => rejects(BASE.replace('depth: [1, 2, 4]', 'depth: []'), /at least one value/));
  test('range in a grid', () => rejects(BASE.replace('dropout: [0.0, 0.2]', 'dropout: { min: 0, max: 0.5 }'), /grid search needs a list/));
  test('random without count', () => rejects(BASE.replace('method: grid', 'method: random'), /count/));
  test('validationSplit out of range', () => rejects(BASE.replace('validationSplit: 0.2', 'validationSplit: 1.5'), /validationSplit/));
  test('unknown metric', () => rejects(BASE.replace('name: valAuc', 'name: f1'), /metric\.name/));
  test('not a mapping', () => rejects('- 1\n- 2\n', /must be a mapping/));
});

describe('trials', () => {
  test('a grid expands to the product of its lists, times seeds, with stable unique ids', () => {
    const spec = parseSpecText(BASE.replace('seeds: [1]', 'seeds: [1, 2]'), 's');
    const trials = expandTrials(spec);
    assert.equal(countTrials(spec), 24);
    assert.equal(trials.length, 24);
    assert.equal(new Set(trials.map((t) => t.trialId)).size, 24);
    assert.deepEqual(
      expandTrials(spec).map((t) => t.trialId),
      trials.map((t) => t.trialId),
    );
    const depths = new Set(trials.map((t) => t.config.depth));
    assert.deepEqual([...depths].sort(), [1, 2, 4]);
    // Unswept knobs get the defaults
    assert.ok(trials.every((t) => t.config.head === 'dense' && t.config.patience === 20 && t.config.clipNorm === 1));
  });

  test('random search samples within ranges, integers stay integers, same seed same trials', () => {
    const text = `
name: r
dataset: { train: t.csv }
method: random
count: 40
samplerSeed: 3
parameters:
  depth: { min: 1, max: 6 }
  width: [8, 16]
  dropout: { min: 0.0, max: 0.5 }
  learningRate: { min: 0.0001, max: 0.1, log: true }
`;
    const spec = parseSpecText(text, 's');
    const trials = expandTrials(spec);
    assert.ok(trials.length > 30 && trials.length <= 40);
    for (const { config } of trials) {
      assert.ok(Number.isInteger(config.depth) && config.depth >= 1 && config.depth <= 6);
      assert.ok([8, 16].includes(config.width));
      assert.ok(config.dropout >= 0 && config.dropout <= 0.5);
      assert.ok(config.learningRate >= 0.0001 && config.learningRate <= 0.1);
    }
    const small = trials.filter((t) => t.config.learningRate < 0.001).length;
    assert.ok(small > 5, `log-uniform sampling puts about a third below 1e-3, got ${small}`);
    assert.deepEqual(expandTrials(parseSpecText(text, 's')), trials);
    assert.notDeepEqual(expandTrials(parseSpecText(text.replace('samplerSeed: 3', 'samplerSeed: 4'), 's')), trials);
  });

  test('random search draws distinct configurations while the space has enough', () => {
    const text = 'name: r\ndataset: { train: t.csv }\nmethod: random\ncount: 6\nparameters: { depth: [1, 2], width: [4, 8, 16] }\n';
    const trials = expandTrials(parseSpecText(text, 's'));
    assert.equal(trials.length, 6, 'all 6 combinations of a 6-point space');
    assert.equal(new Set(trials.map((t) => `${t.config.depth}x${t.config.width}`)).size, 6);
    const over = expandTrials(parseSpecText(text.replace('count: 6', 'count: 9'), 's'));
    assert.equal(over.length, 6, 'never more than the space holds');
  });

  test('tpe specs: a budget, one seed; trials are suggested later, not expanded', () => {
    const tpe = parseSpecText(
      'name: t\ndataset: { train: t.csv }\nmethod: tpe\ncount: 20\nparameters: { depth: { min: 1, max: 4 } }\n',
      's',
    );
    assert.equal(tpe.parallelism, 4);
    assert.deepEqual(expandTrials(tpe), []);
    assert.equal(countTrials(tpe), 20);
    assert.throws(() => parseSpecText('name: t\ndataset: { train: t.csv }\nmethod: tpe\n', 's'), /tpe search needs a trial count/);
    assert.throws(
      () => parseSpecText('name: t\ndataset: { train: t.csv }\nmethod: tpe\ncount: 3\nseeds: [1, 2]\n', 's'),
      /seeds: tpe suggests one trial per configuration/,
    );
  });

  test('the sweep id depends on content, not on where the files were', () => {
    const a = parseSpecText(BASE, 's');
    const b = parseSpecText(BASE.replace('data/train.csv', '/elsewhere/train.csv'), 's');
    const c = parseSpecText(BASE.replace('width: [16, 32]', 'width: [16]'), 's');
    assert.equal(sweepIdOf(a, 'h1'), sweepIdOf(b, 'h1'));
    assert.notEqual(sweepIdOf(a, 'h1'), sweepIdOf(a, 'h2'));
    assert.notEqual(sweepIdOf(a, 'h1'), sweepIdOf(c, 'h1'));
    assert.match(sweepIdOf(a, 'h1'), /^test-sweep-[0-9a-f]{10}$/);
  });
});

describe('architecture options in specs', () => {
  test('residual and inputProjection are swept as lists; defaults keep the old trial ids', () => {
    const base = 'name: a\ndataset: { train: t.csv }\nparameters:\n  depth: [2]\n';
    const plain = expandTrials(parseSpecText(base, 's'));
    const both = expandTrials(parseSpecText(`${base}  residual: [true, false]\n  inputProjection: [false, true]\n`, 's'));
    assert.equal(both.length, 4);
    // residual: true / inputProjection: false are the defaults: that trial is the plain spec's trial.
    assert.ok(both.some((t) => t.trialId === plain[0]!.trialId));
    assert.equal(plain[0]!.config.residual, undefined);
    assert.ok(both.some((t) => t.config.residual === false && t.config.inputProjection === true));
    assert.throws(() => parseSpecText(`${base}  residual: { min: 0, max: 1 }\n`, 's'), /parameters\.residual/);
    assert.throws(() => parseSpecText(`${base}  residual: [yes-please]\n`, 's'), /parameters\.residual\[0\]/);
  });

  test('baseline: minirocket by default, none for a dry run unless asked; only the two values; the default keeps the sweep id', () => {
    const plain = parseSpecText(BASE, 's');
    assert.equal(plain.baseline, undefined);
    assert.equal(baselineOf(plain), 'minirocket');
    assert.equal(baselineOf(parseSpecText(`${BASE}dryRun: true\n`, 's')), 'none');
    assert.equal(baselineOf(parseSpecText(`${BASE}dryRun: true\nbaseline: minirocket\n`, 's')), 'minirocket');
    const none = parseSpecText(`${BASE}baseline: none\n`, 's');
    assert.equal(baselineOf(none), 'none');
    rejects(`${BASE}baseline: rocket\n`, /baseline/);
    rejects(`${BASE}baseline: [minirocket]\n`, /baseline/);
    // Stated or left to its default, the same sweep; another baseline, another sweep.
    const explicit = parseSpecText(`${BASE}baseline: minirocket\n`, 's');
    assert.equal(sweepIdOf(explicit, 'h1'), sweepIdOf(plain, 'h1'));
    assert.equal(sweepIdOf({ ...plain, baseline: 'minirocket' }, 'h1'), sweepIdOf(plain, 'h1'));
    assert.notEqual(sweepIdOf(none, 'h1'), sweepIdOf(plain, 'h1'));
  });

  test('a baseline job payload is exactly what its sweep makes', () => {
    const spec = parseSpecText(`${BASE}seeds: [5, 6]\n`.replace('seeds: [1]\n', ''), 's');
    const record = {
      sweepId: 'test-sweep-0123456789',
      spec: { ...spec, dataset: { ...spec.dataset, normalize: 'feature' as const } },
      datasetHash: 'a'.repeat(64),
      shape: { timesteps: 8, features: 1, trainSamples: 10 },
      trials: 12,
      createdAt: new Date(0).toISOString(),
    };
    const job = baselineJobFor(record);
    assert.deepEqual(job, { sweepId: record.sweepId, method: 'minirocket', datasetHash: 'a'.repeat(64), normalize: 'feature', seed: 5 });
    assert.deepEqual(BaselineJobSchema.parse(job), job);
    assert.equal(baselineJobId(record.sweepId), 'test-sweep-0123456789.baseline');
    for (const bad of [
      { ...job, extra: 1 },
      { ...job, sweepId: '../x' },
      { ...job, method: 'rocket' },
      { ...job, datasetHash: 'abc' },
      { ...job, seed: -1 },
      { ...job, normalize: 'minmax' },
    ]) {
      assert.equal(BaselineJobSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
