/**
 * The dashboard's pure front-end modules (src/dashboard/public/js/format.js and vocabulary.js),
 * imported as the browser does, fed with the vocabulary /api/meta serves.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { vocabularyJson } from '../../../src/definition/vocabulary.js';
import {
  compareValues,
  configLabel,
  esc,
  fmtAgo,
  fmtConfigValue,
  fmtDuration,
  fmtMetric,
  fmtNumber,
  fmtParam,
  fmtSpecValues,
  goalArrow,
  isNum,
  metricTitle,
  plural,
  shortId,
} from '../../../src/dashboard/public/js/format.js';
import {
  createVocabulary,
  distinctValues,
  fixedParameters,
  isCategorical,
  parameterValue,
  shownMetrics,
  sweepMetric,
  varyingParameters,
} from '../../../src/dashboard/public/js/vocabulary.js';

const vocab = createVocabulary(vocabularyJson());
const p = (name: string) => vocab.param(name);

describe('dashboard format.js', () => {
  test('esc makes text safe inside elements and quoted attributes', () => {
    assert.equal(esc(`<img src=x onerror="alert('1')">&`), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
    assert.equal(esc(undefined), '');
    assert.equal(esc(null), '');
    assert.equal(esc(0), '0');
    assert.equal(esc(false), 'false');
  });

  test('metrics: fixed digits, a dash for missing or non-finite values', () => {
    assert.equal(fmtMetric(0.98765), '0.9877');
    assert.equal(fmtMetric(1), '1.0000');
    assert.equal(fmtMetric(0.5, 2), '0.50');
    for (const v of [undefined, null, Number.NaN, Infinity, '0.5']) assert.equal(fmtMetric(v), '—');
    assert.equal(isNum(0), true);
    assert.equal(isNum(Number.NaN), false);
    assert.equal(isNum('1'), false);
  });

  test('numbers: as short as exact to 3 digits, exponents for tiny and huge ones', () => {
    assert.equal(fmtNumber(0.002), '0.002');
    assert.equal(fmtNumber(0.0015), '0.0015');
    assert.equal(fmtNumber(0.123456), '0.123');
    assert.equal(fmtNumber(0.15), '0.15');
    assert.equal(fmtNumber(0.0005), '5e-4');
    assert.equal(fmtNumber(0.000123456), '1.23e-4');
    assert.equal(fmtNumber(-0.0005), '-5e-4');
    assert.equal(fmtNumber(2.5e7), '2.5e7');
    assert.equal(fmtNumber(32), '32');
    assert.equal(fmtNumber(0), '0');
    assert.equal(fmtNumber(Number.NaN), '—');
  });

  test('parameter values by kind: ints as they are, floats shortened, booleans and names as text', () => {
    assert.equal(fmtParam(p('depth'), 3), '3');
    assert.equal(fmtParam(p('learningRate'), 0.00031622), '3.16e-4');
    assert.equal(fmtParam(p('dropout'), 0.2000001), '0.2');
    assert.equal(fmtParam(p('residual'), false), 'false');
    assert.equal(fmtParam(p('residual'), true), 'true');
    assert.equal(fmtParam(p('head'), 'lstm'), 'lstm');
    assert.equal(fmtParam(p('depth'), undefined), '—');
    assert.equal(fmtParam(undefined, 7), '7');
  });

  test('config values and labels read absent options as what their absence means', () => {
    // A stored config leaves out residual: true, inputProjection: false, classWeight: none, clipNorm: 0.
    const stored = {
      depth: 2,
      width: 16,
      dropout: 0.1,
      recurrentDropout: 0,
      learningRate: 0.002,
      batchSize: 16,
      epochs: 3,
      patience: 0,
      head: 'dense',
      seed: 1,
    };
    assert.equal(fmtConfigValue(stored, p('residual')), 'true');
    assert.equal(fmtConfigValue({ ...stored, residual: false }, p('residual')), 'false');
    assert.equal(fmtConfigValue(stored, p('inputProjection')), 'false');
    assert.equal(fmtConfigValue(stored, p('classWeight')), 'none');
    assert.equal(fmtConfigValue(stored, p('clipNorm')), '0', 'absent clipNorm: no clipping, not the spec default 1');
    assert.equal(fmtConfigValue({ ...stored, clipNorm: 1 }, p('clipNorm')), '1');
    assert.equal(
      configLabel({ ...stored, residual: false }, [p('depth'), p('dropout'), p('residual'), p('seed')]),
      'depth 2 · drop 0.1 · residual false · seed 1',
    );
    assert.equal(configLabel(undefined, [p('depth')]), '');
    assert.equal(configLabel(stored, []), '');
  });

  test('durations', () => {
    assert.equal(fmtDuration(12.4), '12 ms');
    assert.equal(fmtDuration(1500), '1.5 s');
    assert.equal(fmtDuration(59_900), '59.9 s');
    assert.equal(fmtDuration(61_000), '1m 01s');
    assert.equal(fmtDuration(119_600), '2m 00s', 'seconds never read 60');
    assert.equal(fmtDuration(3_600_000 + 5 * 60_000), '1h 05m');
    assert.equal(fmtDuration(undefined), '—');
  });

  test('ages relative to now', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    assert.equal(fmtAgo('2025-03-01T11:59:30Z', now), 'just now');
    assert.equal(fmtAgo('2025-03-01T11:55:00Z', now), '5 min ago');
    assert.equal(fmtAgo('2025-03-01T09:00:00Z', now), '3 h ago');
    assert.equal(fmtAgo('2025-02-20T09:00:00Z', now), '2025-02-20');
    assert.equal(fmtAgo('2025-03-01T12:00:10Z', now), 'just now', 'a clock slightly ahead');
    assert.equal(fmtAgo('not a date', now), '');
  });

  test('ids, arrows, titles, plurals', () => {
    assert.equal(shortId('0123456789abcdef'), '01234567');
    assert.equal(shortId(undefined), '');
    assert.equal(goalArrow({ goal: 'maximize' }), '↑');
    assert.equal(goalArrow({ goal: 'minimize' }), '↓');
    assert.equal(metricTitle(vocab.metric('valAuc')), 'validation ROC AUC ↑');
    assert.equal(metricTitle(vocab.metric('testLoss')), 'test loss ↓');
    assert.equal(plural(1, 'sweep'), '1 sweep');
    assert.equal(plural(0, 'sweep'), '0 sweeps');
  });

  test('spec values: lists, ranges, log ranges', () => {
    assert.equal(fmtSpecValues(p('residual'), [true, false]), 'true, false');
    assert.equal(fmtSpecValues(p('depth'), [1, 2, 3]), '1, 2, 3');
    assert.equal(fmtSpecValues(p('learningRate'), { min: 0.0005, max: 0.05, log: true }), '5e-4 – 0.05 (log)');
    assert.equal(fmtSpecValues(p('width'), { min: 8, max: 64 }), '8 – 64');
    assert.equal(fmtSpecValues(p('width'), undefined), '');
  });

  test('sorting: numbers by value, text alphabetically, missing values last', () => {
    const sorted = [3, undefined, 1, Number.NaN, 2].sort(compareValues);
    assert.deepEqual(sorted.slice(0, 3), [1, 2, 3]);
    assert.equal(
      sorted.slice(3).every((v) => v === undefined || Number.isNaN(v)),
      true,
    );
    assert.deepEqual(['lstm', 'dense'].sort(compareValues), ['dense', 'lstm']);
    assert.deepEqual([true, false].sort(compareValues), [false, true]);
  });
});

describe('dashboard vocabulary.js', () => {
  test('built from /api/meta: every parameter of the vocabulary, the seed last, every metric', () => {
    const meta = vocabularyJson();
    assert.deepEqual(
      vocab.parameters.map((x) => x.name),
      [...meta.parameters.map((x) => x.name), 'seed'],
    );
    assert.deepEqual(
      vocab.metrics.map((m) => m.name),
      meta.metrics.map((m) => m.name),
    );
    for (const name of ['residual', 'inputProjection', 'classWeight', 'clipNorm'])
      assert.ok(
        vocab.parameters.some((x) => x.name === name),
        name,
      );
    assert.ok(vocab.metrics.some((m) => m.name === 'valBalancedAcc'));
    assert.equal(p('residual').kind, 'boolean');
    assert.equal(p('learningRate').log, true);
    assert.equal(vocab.metric('valLoss').goal, 'minimize');
    // Names it does not know get a plain entry.
    assert.equal(p('nope').label, 'nope');
    assert.equal(vocab.metric('someLoss').goal, 'minimize');
  });

  test('parameterValue: the config value, else what absence means, else the default', () => {
    assert.equal(parameterValue({}, p('residual')), true);
    assert.equal(parameterValue({ residual: false }, p('residual')), false);
    assert.equal(parameterValue({}, p('clipNorm')), 0);
    assert.equal(parameterValue({}, p('depth')), p('depth').default);
    assert.equal(parameterValue(undefined, p('depth')), undefined);
  });

  test('distinct values in axis order; categorical kinds', () => {
    assert.deepEqual(distinctValues([true, false, true]), [false, true]);
    assert.deepEqual(distinctValues([8, 2, 8, 4, undefined]), [2, 4, 8]);
    assert.deepEqual(distinctValues(['lstm', 'dense', 'lstm']), ['dense', 'lstm']);
    assert.equal(isCategorical(p('residual')), true);
    assert.equal(isCategorical(p('head')), true);
    assert.equal(isCategorical(p('depth'), [1, 2]), false);
  });

  test('varying parameters: swept by the spec or differing among the configs, absent values as their meaning', () => {
    const base = {
      depth: 1,
      width: 32,
      dropout: 0,
      recurrentDropout: 0,
      learningRate: 0.002,
      batchSize: 16,
      epochs: 150,
      patience: 20,
      head: 'dense',
      inputProjection: true,
      clipNorm: 1,
    };
    // The demo: residual [true, false] x seeds [0, 1]; residual: true is left out of stored configs.
    const configs = [
      { ...base, seed: 0 },
      { ...base, seed: 1 },
      { ...base, residual: false, seed: 0 },
      { ...base, residual: false, seed: 1 },
    ];
    assert.deepEqual(
      varyingParameters(vocab, ['residual', 'seed'], configs).map((x) => x.name),
      ['residual', 'seed'],
    );
    assert.deepEqual(
      varyingParameters(vocab, [], configs).map((x) => x.name),
      ['residual', 'seed'],
      'found from the configs alone',
    );
    assert.deepEqual(
      varyingParameters(vocab, ['depth'], []).map((x) => x.name),
      ['depth'],
    );
    // residual true stored explicitly and left out are the same value.
    assert.deepEqual(
      varyingParameters(
        vocab,
        [],
        [
          { ...base, seed: 0 },
          { ...base, residual: true, seed: 0 },
        ],
      ),
      [],
    );

    const fixed = fixedParameters(vocab, varyingParameters(vocab, ['residual', 'seed'], configs), configs, {
      seeds: [0, 1],
      parameters: {},
    });
    const byName = Object.fromEntries(fixed.map((f) => [f.param.name, f.value]));
    assert.equal(byName.depth, 1);
    assert.equal(byName.inputProjection, true);
    assert.equal(byName.classWeight, 'none');
    assert.equal('residual' in byName, false);
    // Before any result: the spec's one-value lists, else the defaults.
    const early = Object.fromEntries(
      fixedParameters(vocab, [], [], { seeds: [7], parameters: { depth: [3] } }).map((f) => [f.param.name, f.value]),
    );
    assert.equal(early.depth, 3);
    assert.equal(early.seed, 7);
    assert.equal(early.width, p('width').default);
  });

  test('shown metrics: the sweep metric first, then every one some result has', () => {
    const rows = [
      { metrics: { valAuc: 0.9, valAcc: 0.8, valLoss: 0.3, valBalancedAcc: 0.8 } },
      { metrics: { valAuc: 0.7, testAcc: Number.NaN } },
    ];
    assert.deepEqual(
      shownMetrics(vocab, 'valLoss', rows).map((m) => m.name),
      ['valLoss', 'valAuc', 'valAcc', 'valBalancedAcc'],
    );
    assert.deepEqual(sweepMetric(vocab, { name: 'valAuc', goal: 'maximize' }).label, 'validation ROC AUC');
  });
});
