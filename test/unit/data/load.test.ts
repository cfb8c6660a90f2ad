import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetSpecSchema, type DatasetSpecInput } from '../../../src/data/dataset-spec.js';
import { DatasetError } from '../../../src/util/errors.js';
import { loadDataset } from '../../../src/data/load.js';
import { stratifiedSplit, toTrainingData } from '../../../src/data/split.js';
import { datasetHash, decodeDataset, encodeDataset } from '../../../src/data/codec.js';
import { syntheticSplit, writeSyntheticUcr } from '../../../src/data/synthetic.js';
import type { Dataset, Split } from '../../../src/data/types.js';

const repoRoot = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const datasetsDir = path.resolve(repoRoot, '../shared/datasets');
const noDatasets = existsSync(datasetsDir) ? false : `real datasets not found at ${datasetsDir}`;

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'lstm-sweep-data-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const spec = (input: DatasetSpecInput) => DatasetSpecSchema.parse(input);

function countLabels(s: Split): Map<number, number> {
  const counts = new Map<number, number>();
  for (const label of s.y) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

/** Writes `text` to a temp file and expects loading it to fail with `pattern` on `line`. */
async function expectLoadError(
  name: string,
  text: string,
  opts: { format?: 'ucr' | 'long'; classes?: number; line?: number },
  pattern: RegExp,
): Promise<void> {
  await writeFile(path.join(tmp, name), text);
  const err = await loadDataset(spec({ train: name, format: opts.format ?? 'ucr' }), {
    baseDir: tmp,
    classes: opts.classes ?? 2,
  }).then(
    () => assert.fail(`expected ${name} to be rejected`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof DatasetError, `expected a DatasetError, got ${String(err)}`);
  const where = opts.line === undefined ? `${name}:` : `${name} line ${opts.line}:`;
  assert.ok(err.message.includes(where), `message should contain "${where}": ${err.message}`);
  assert.match(err.message, pattern);
  assert.equal(err.line, opts.line);
}

describe('dataset spec schema', () => {
  test('fills defaults', () => {
    assert.deepEqual(spec({ train: 'a.csv' }), {
      train: 'a.csv',
      format: 'ucr',
      validationSplit: 0.2,
      splitSeed: 0,
      normalize: 'feature',
      protocol: 'auto',
      folds: 5,
    });
  });
  test('rejects out-of-range values and unknown keys', () => {
    for (const bad of [
      { train: 'a.csv', validationSplit: 0 },
      { train: 'a.csv', validationSplit: 0.95 },
      { train: 'a.csv', splitSeed: -1 },
      { train: 'a.csv', splitSeed: 1.5 },
      { train: 'a.csv', format: 'wide' },
      { train: 'a.csv', extra: 1 },
      { train: '' },
    ]) {
      assert.equal(DatasetSpecSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});

describe('real datasets', { skip: noDatasets }, () => {
  test('GunPoint (ucr)', async () => {
    const ds = await loadDataset(spec({ train: 'GunPoint/train.csv', test: 'GunPoint/test.csv' }), {
      baseDir: datasetsDir,
      classes: 2,
    });
    assert.deepEqual([ds.train.n, ds.train.timesteps, ds.train.features], [50, 150, 1]);
    assert.equal(ds.train.x.length, 50 * 150);
    assert.equal(ds.test?.n, 150);
    assert.equal(ds.test?.timesteps, 150);
    const counts = countLabels(ds.train);
    assert.deepEqual([counts.get(0), counts.get(1)], [24, 26]);
    // first and last values of the file land at the start and end of x
    const lines = (await readFile(path.join(datasetsDir, 'GunPoint/train.csv'), 'utf8')).trim().split('\n');
    const first = lines[1]!.split(',');
    const last = lines.at(-1)!.split(',');
    assert.equal(ds.train.y[0], Number(first[0]));
    assert.equal(ds.train.x[0], Math.fround(Number(first[1])));
    assert.equal(ds.train.x.at(-1), Math.fround(Number(last.at(-1))));
  });

  test('BasicMotions (long, 4 classes)', async () => {
    const ds = await loadDataset(spec({ train: 'BasicMotions/train.csv', test: 'BasicMotions/test.csv', format: 'long' }), {
      baseDir: datasetsDir,
      classes: 4,
    });
    assert.deepEqual([ds.train.n, ds.train.timesteps, ds.train.features], [40, 100, 6]);
    assert.deepEqual([ds.test?.n, ds.test?.timesteps, ds.test?.features], [40, 100, 6]);
    assert.deepEqual([...countLabels(ds.train).entries()].sort(), [
      [0, 10],
      [1, 10],
      [2, 10],
      [3, 10],
    ]);
    // row "0,1,2,0.079106,0.394032,..." is sample 0, t = 1: features at x[6..11]
    const lines = (await readFile(path.join(datasetsDir, 'BasicMotions/train.csv'), 'utf8')).split('\n');
    const row = lines[2]!.split(',');
    assert.equal(ds.train.y[0], Number(row[2]));
    assert.deepEqual(
      Array.from(ds.train.x.subarray(6, 12)),
      row.slice(3).map((v) => Math.fround(Number(v))),
    );
  });

  test('BasicMotions as a binary task is rejected by the label check', async () => {
    const err = await loadDataset(spec({ train: 'BasicMotions/train.csv', format: 'long' }), {
      baseDir: datasetsDir,
      classes: 2,
    }).then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof DatasetError);
    assert.match(err.message, /^BasicMotions\/train\.csv line \d+: label [23] does not fit a binary task: labels must be 0 or 1/);
  });
});

describe('ucr format errors', () => {
  test('empty file', () => expectLoadError('empty.csv', '', { line: 1 }, /empty/));
  test('header only', () => expectLoadError('header-only.csv', 'label,t0,t1\n', { line: 1 }, /no data rows/));
  test('wrong first column', () =>
    expectLoadError('bad-header.csv', 'class,t0,t1\n0,1,2\n', { line: 1 }, /bad header.*first column must be "label"/));
  test('long file read as ucr hints at the format', () =>
    expectLoadError('long-as-ucr.csv', 'sample,t,label,f0\n0,0,0,1\n', { line: 1 }, /set format: long/));
  test('no time-step columns', () => expectLoadError('label-only.csv', 'label\n0\n', { line: 1 }, /at least one time-step column/));
  test('ragged row', () => expectLoadError('ragged.csv', 'label,t0,t1\n0,1,2\n1,1\n', { line: 3 }, /2 columns but the header has 3/));
  test('non-numeric value names column', () => {
    const rows = Array.from({ length: 6 }, (_, i) => `${i % 2},1,2,3,4`);
    rows[5] = '1,1,2,3,abc';
    return expectLoadError(
      'text.csv',
      `label,t0,t1,t2,t3\n${rows.join('\n')}\n`,
      { line: 7 },
      /line 7: value "abc" in column t3 is not a finite number/,
    );
  });
  test('NaN', () => expectLoadError('nan.csv', 'label,t0,t1\n0,NaN,1\n', { line: 2 }, /"NaN" in column t0/));
  test('Infinity', () => expectLoadError('inf.csv', 'label,t0,t1\n0,1,Infinity\n', { line: 2 }, /"Infinity" in column t1/));
  test('beyond float32', () =>
    expectLoadError('huge.csv', 'label,t0,t1\n0,1,1e39\n', { line: 2 }, /"1e39" in column t1 is outside the float32 range/));
  test('empty cell', () => expectLoadError('blank.csv', 'label,t0,t1\n0,1,2\n1,,2\n', { line: 3 }, /column t0 is empty/));
  test('label outside a binary task', () => {
    const rows = Array.from({ length: 8 }, (_, i) => `${i % 2},0.5`);
    rows[7] = '2,0.5';
    return expectLoadError(
      'label.csv',
      `label,t0\n${rows.join('\n')}\n`,
      { line: 9 },
      /line 9: label 2 does not fit a binary task: labels must be 0 or 1; this file has labels up to 2/,
    );
  });
  test('fractional, negative and text labels', async () => {
    await expectLoadError('frac.csv', 'label,t0\n0,1\n0.5,1\n', { line: 3 }, /label "0\.5" is not a class/);
    await expectLoadError('neg.csv', 'label,t0\n-1,1\n', { line: 2 }, /label "-1" is not a class/);
    await expectLoadError('word.csv', 'label,t0\nyes,1\n', { line: 2 }, /label "yes" is not a class/);
    await expectLoadError('nolabel.csv', 'label,t0\n,1\n', { line: 2 }, /the label is empty/);
  });
  test('label range follows classes', async () => {
    await expectLoadError(
      'three.csv',
      'label,t0\n3,1\n',
      { classes: 3, line: 2 },
      /label 3 does not fit a task of at most 3 classes: labels must be 0\.\.2/,
    );
    await writeFile(path.join(tmp, 'ok3.csv'), 'label,t0\n2,1\n0,1\n');
    const ds = await loadDataset(spec({ train: 'ok3.csv' }), { baseDir: tmp, classes: 3 });
    assert.deepEqual(Array.from(ds.train.y), [2, 0]);
  });
  test('broken quoting reports a line', () => expectLoadError('quote.csv', 'label,t0\n0,1\n1,"2\n', { line: 3 }, /not valid CSV/));
  test('trailing blank lines and CRLF are fine', async () => {
    await writeFile(path.join(tmp, 'crlf.csv'), 'label,t0,t1\r\n0,1,2\r\n1,3,4\r\n\r\n');
    const ds = await loadDataset(spec({ train: 'crlf.csv' }), { baseDir: tmp, classes: 2 });
    assert.deepEqual(Array.from(ds.train.x), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(ds.train.y), [0, 1]);
  });
});

describe('long format errors', () => {
  const header = 'sample,t,label,f0,f1\n';
  const opts = (line: number) => ({ format: 'long' as const, line });
  test('bad header', () => expectLoadError('long-header.csv', 'sample,label,t,f0\n0,0,0,1\n', opts(1), /second column must be "t"/));
  test('no feature columns', () => expectLoadError('long-nofeat.csv', 'sample,t,label\n0,0,0\n', opts(1), /at least one feature column/));
  test('ragged row', () => expectLoadError('long-ragged.csv', `${header}0,0,0,1,2\n0,1,0,1\n`, opts(3), /4 columns but the header has 5/));
  test('non-numeric feature', () => expectLoadError('long-text.csv', `${header}0,0,0,1,2\n0,1,0,1,x\n`, opts(3), /value "x" in column f1/));
  test('duplicated time step', () =>
    expectLoadError('long-dup.csv', `${header}0,0,0,1,2\n0,1,0,1,2\n0,1,0,1,2\n`, opts(4), /time step 1 of sample 0 appears twice/));
  test('skipped time step', () =>
    expectLoadError('long-gap.csv', `${header}0,0,0,1,2\n0,2,0,1,2\n`, opts(3), /time step 2 of sample 0 skips ahead: expected t = 1/));
  test('sample not starting at t = 0', () =>
    expectLoadError('long-start.csv', `${header}0,0,0,1,2\n1,1,1,1,2\n`, opts(3), /sample 1 skips ahead: expected t = 0/));
  test('label changes within a sample', () =>
    expectLoadError(
      'long-label.csv',
      `${header}0,0,0,1,2\n0,1,1,1,2\n`,
      opts(3),
      /label 1 of sample 0 differs from its label 0 on line 2/,
    ));
  test('samples of different lengths', () =>
    expectLoadError(
      'long-len.csv',
      `${header}0,0,0,1,2\n0,1,0,1,2\n1,0,1,1,2\n2,0,1,1,2\n2,1,1,1,2\n`,
      opts(4),
      /sample 1 has 1 time steps \(lines 4-4\) but sample 0 has 2/,
    ));
  test('last sample shorter', () =>
    expectLoadError('long-last.csv', `${header}0,0,0,1,2\n0,1,0,1,2\n1,0,1,1,2\n`, opts(4), /sample 1 has 1 time steps/));
  test('rows of a sample not contiguous', () =>
    expectLoadError(
      'long-split.csv',
      `${header}0,0,0,1,2\n1,0,1,1,2\n0,1,0,1,2\n`,
      opts(4),
      /rows of sample 0 are not contiguous \(it already ended on line 2\)/,
    ));
  test('label outside the task', () =>
    expectLoadError(
      'long-label4.csv',
      `${header}0,0,4,1,2\n`,
      { format: 'long', classes: 4, line: 2 },
      /label 4 does not fit a task of at most 4 classes/,
    ));
  test('valid file is laid out (n, T, F)', async () => {
    await writeFile(path.join(tmp, 'long-ok.csv'), `${header}0,0,1,1,2\n0,1,1,3,4\n1,0,0,5,6\n1,1,0,7,8\n`);
    const ds = await loadDataset(spec({ train: 'long-ok.csv', format: 'long' }), { baseDir: tmp, classes: 2 });
    assert.deepEqual([ds.train.n, ds.train.timesteps, ds.train.features], [2, 2, 2]);
    assert.deepEqual(Array.from(ds.train.x), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(Array.from(ds.train.y), [1, 0]);
  });
});

describe('loadDataset files', () => {
  test('missing file names the path and the OS reason', async () => {
    const err = await loadDataset(spec({ train: 'nope/train.csv' }), { baseDir: tmp, classes: 2 }).then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof DatasetError);
    assert.ok(err.message.includes(path.join(tmp, 'nope/train.csv')), err.message);
    assert.match(err.message, /ENOENT/);
  });
  test('absolute paths are used as they are', async () => {
    const file = path.join(tmp, 'abs.csv');
    await writeFile(file, 'label,t0\n1,1\n');
    const ds = await loadDataset(spec({ train: file }), { baseDir: '/nonexistent', classes: 2 });
    assert.equal(ds.train.n, 1);
  });
  test('train and test shapes must match', async () => {
    await writeFile(path.join(tmp, 'shape-train.csv'), 'label,t0,t1\n0,1,2\n');
    await writeFile(path.join(tmp, 'shape-test.csv'), 'label,t0\n0,1\n');
    const err = await loadDataset(spec({ train: 'shape-train.csv', test: 'shape-test.csv' }), {
      baseDir: tmp,
      classes: 2,
    }).then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof DatasetError);
    assert.match(err.message, /shape-test\.csv: samples have 1 time steps x 1 features .* has 2 x 1/);
  });
});

/** 3 classes grouped in order, x of sample i filled with i so rows can be traced. */
function tracedSplit(counts: number[], timesteps = 3, features = 2): Split {
  const labels = counts.flatMap((c, label) => Array<number>(c).fill(label));
  const size = timesteps * features;
  const x = new Float32Array(labels.length * size);
  labels.forEach((_, i) => x.fill(i, i * size, (i + 1) * size));
  return { n: labels.length, timesteps, features, x, y: Float32Array.from(labels) };
}

function ids(s: Split): number[] {
  const size = s.timesteps * s.features;
  return Array.from({ length: s.n }, (_, i) => {
    const row = s.x.subarray(i * size, (i + 1) * size);
    assert.ok(
      row.every((v) => v === row[0]),
      'rows must be copied whole',
    );
    return row[0]!;
  });
}

describe('stratifiedSplit', () => {
  const data = tracedSplit([24, 26, 10]);

  test('keeps class balance, is disjoint and complete', () => {
    const { train, validation } = stratifiedSplit(data, 0.2, 7);
    const v = countLabels(validation);
    assert.deepEqual([v.get(0), v.get(1), v.get(2)], [5, 5, 2]);
    assert.equal(train.n + validation.n, data.n);
    const all = [...ids(train), ...ids(validation)].sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: data.n }, (_, i) => i),
    );
    // each row keeps its label
    for (const part of [train, validation]) {
      ids(part).forEach((id, i) => assert.equal(part.y[i], data.y[id]));
    }
  });

  test('is deterministic per seed and interleaves classes', () => {
    const a = stratifiedSplit(data, 0.2, 7);
    const b = stratifiedSplit(data, 0.2, 7);
    const c = stratifiedSplit(data, 0.2, 8);
    assert.deepEqual(ids(a.train), ids(b.train));
    assert.deepEqual(ids(a.validation), ids(b.validation));
    assert.notDeepEqual(ids(a.validation), ids(c.validation));
    const sorted = [...a.train.y].sort((p, q) => p - q);
    assert.notDeepEqual([...a.train.y], sorted, 'train labels should not stay grouped by class');
  });

  test('small classes: at least one in validation, never the whole class', () => {
    const small = tracedSplit([2, 1, 20]);
    const lo = countLabels(stratifiedSplit(small, 0.1, 1).validation);
    assert.deepEqual([lo.get(0), lo.get(1), lo.get(2)], [1, undefined, 2]);
    const hi = stratifiedSplit(small, 0.9, 1);
    assert.deepEqual([...countLabels(hi.train).entries()].sort(), [
      [0, 1],
      [1, 1],
      [2, 2],
    ]);
  });

  test('toTrainingData passes test through and rejects unsplittable sets', () => {
    const test = tracedSplit([1, 1]);
    const td = toTrainingData({ train: data, test }, { validationSplit: 0.25, splitSeed: 3 });
    assert.equal(td.test, test);
    assert.equal(td.validation.n, 6 + 7 + 3);
    assert.equal(toTrainingData({ train: data }, { validationSplit: 0.2, splitSeed: 0 }).test, undefined);
    assert.throws(() => toTrainingData({ train: test }, { validationSplit: 0.2, splitSeed: 0 }), /too small/);
  });
});

describe('codec', () => {
  const ds: Dataset = { train: syntheticSplit({ n: 10, timesteps: 7, seed: 1 }), test: tracedSplit([2, 3], 7, 1) };

  test('roundtrips with and without test', () => {
    assert.deepEqual(decodeDataset(encodeDataset(ds)), ds);
    const trainOnly = { train: ds.train };
    assert.deepEqual(decodeDataset(encodeDataset(trainOnly)), trainOnly);
  });

  test('encodes subarray views correctly and decodes into fresh memory', () => {
    const big = new Float32Array(ds.train.x.length + 5);
    big.set(ds.train.x, 5);
    const view: Dataset = { train: { ...ds.train, x: big.subarray(5) } };
    const buf = encodeDataset(view);
    assert.deepEqual(buf, encodeDataset({ train: ds.train }));
    const decoded = decodeDataset(buf);
    buf.fill(0, buf.length - 8);
    assert.deepEqual(decoded.train.y, ds.train.y);
  });

  test('hash is stable and sensitive to the data', () => {
    const buf = encodeDataset(ds);
    assert.match(datasetHash(buf), /^[0-9a-f]{64}$/);
    assert.equal(datasetHash(encodeDataset(decodeDataset(buf))), datasetHash(buf));
    const changed = { ...ds, train: { ...ds.train, x: ds.train.x.slice() } };
    changed.train.x[3]! += 1;
    assert.notEqual(datasetHash(encodeDataset(changed)), datasetHash(buf));
  });

  test('rejects corrupt input', () => {
    const buf = encodeDataset(ds);
    assert.throws(() => decodeDataset(buf.subarray(0, buf.length - 1)), /truncated or corrupt/);
    assert.throws(() => decodeDataset(Buffer.concat([buf, Buffer.alloc(4)])), /truncated or corrupt/);
    assert.throws(() => decodeDataset(buf.subarray(0, 10)), /truncated/);
    assert.throws(() => decodeDataset(Buffer.from('hello world')), /magic/);
    const badJson = Buffer.from(buf);
    badJson[8] = 0x7b + 1;
    assert.throws(() => decodeDataset(badJson), /not valid JSON/);
    const header = Buffer.from(JSON.stringify({ version: 2, train: { n: 0, timesteps: 1, features: 1 } }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    assert.throws(() => decodeDataset(Buffer.concat([Buffer.from('LSDS'), len, header])), /invalid header/);
  });

  test('refuses to encode a split whose arrays do not match its shape', () => {
    assert.throws(() => encodeDataset({ train: { ...ds.train, n: 11 } }), /do not match/);
  });
});

describe('synthetic data', () => {
  test('written files load back balanced, z-normalised and deterministic', async () => {
    const dir = path.join(tmp, 'synth');
    const opts = { trainSize: 40, testSize: 21, timesteps: 32, seed: 5 };
    const paths = await writeSyntheticUcr(dir, opts);
    const ds = await loadDataset(spec({ train: paths.train, test: paths.test }), { baseDir: '/', classes: 2 });
    assert.deepEqual([ds.train.n, ds.train.timesteps, ds.train.features], [40, 32, 1]);
    assert.equal(ds.test?.n, 21);
    const counts = countLabels(ds.train);
    assert.deepEqual([counts.get(0), counts.get(1)], [20, 20]);
    for (let i = 0; i < ds.train.n; i++) {
      const row = Array.from(ds.train.x.subarray(i * 32, (i + 1) * 32));
      const mean = row.reduce((a, b) => a + b, 0) / 32;
      const sd = Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / 32);
      assert.ok(Math.abs(mean) < 1e-3 && Math.abs(sd - 1) < 1e-3, `series ${i}: mean ${mean}, sd ${sd}`);
    }
    const again = await writeSyntheticUcr(path.join(tmp, 'synth2'), opts);
    assert.equal(await readFile(again.train, 'utf8'), await readFile(paths.train, 'utf8'));
    const other = await writeSyntheticUcr(path.join(tmp, 'synth3'), { ...opts, seed: 6 });
    assert.notEqual(await readFile(other.train, 'utf8'), await readFile(paths.train, 'utf8'));
  });

  test('classes are separable (the bump raises the peak)', () => {
    const s = syntheticSplit({ n: 200, timesteps: 64, seed: 2 });
    const peaks = Array.from({ length: s.n }, (_, i) => Math.max(...s.x.subarray(i * 64, (i + 1) * 64)));
    // the best single threshold on the peak already classifies most series
    const accuracy = Math.max(...peaks.map((th) => peaks.filter((p, i) => Number(p > th) === s.y[i]).length / s.n));
    assert.ok(accuracy > 0.9, `peak-threshold accuracy ${accuracy}`);
  });
});
