/**
 * Dataset files that can never train, or that are no files at all, are refused by `enqueue`
 * (exit 2, one line naming the problem) before anything is stored; CSV quirks that still mean
 * one thing (a trailing comma on every line) are read. Real CLI, real files, real Redis.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, open, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { REDIS_URL, deletePrefix, keysUnder, runCli, uniquePrefix } from '../helpers.js';

const prefix = uniquePrefix();
const env: NodeJS.ProcessEnv = { REDIS_URL, LSW_PREFIX: prefix };
let redis: Redis;
let dir: string;
let train: string;

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-data-'));
  ({ train } = await writeSyntheticUcr(dir, { trainSize: 40, testSize: 10, timesteps: 12, seed: 1 }));
});

after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

let specs = 0;
/** Enqueues a dry-run sweep over `trainFile` (extra spec lines after it); returns the CLI's result. */
async function enqueue(trainFile: string, datasetExtra = '', args: string[] = []) {
  const file = path.join(dir, `spec-${++specs}.yaml`);
  await writeFile(
    file,
    [
      `name: data-${specs}`,
      `dataset: { train: ${JSON.stringify(trainFile)}${datasetExtra} }`,
      'parameters: { depth: [1] }',
      'dryRun: true',
    ].join('\n'),
  );
  return runCli(['enqueue', file, '--json', ...args], env);
}

/** The refusal every bad file must get: exit 2, one line, nothing written under the prefix. */
async function assertRefused(r: { code: number | null; stderr: string }, pattern: RegExp): Promise<void> {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.deepEqual(await keysUnder(redis, prefix), [], 'nothing stored');
}

describe('dataset files that are no regular file', () => {
  test('a FIFO is refused at once instead of hanging enqueue', async () => {
    const fifo = path.join(dir, 'train.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const started = Date.now();
    await assertRefused(await enqueue(fifo), /train\.fifo: the train file is a FIFO, not a regular file/);
    assert.ok(Date.now() - started < 20_000);
  });

  test('/dev/zero is refused without reading it', async () => {
    await assertRefused(await enqueue('/dev/zero'), /the train file is a device, not a regular file/);
  });
});

describe('size limits', () => {
  test('a file over --max-dataset-mb is refused naming its size and the setting', async () => {
    // 1.5 MB of valid data: fine by default, refused under a 1 MB limit (flag and env).
    const big = path.join(dir, 'big.csv');
    const row = (label: number) => `${label},${Array.from({ length: 200 }, (_, t) => ((t * 7919) % 1000) / 100).join(',')}`;
    const lines = ['label,' + Array.from({ length: 200 }, (_, t) => `t${t}`).join(',')];
    for (let i = 0; i < 1600; i++) lines.push(row(i % 2));
    await writeFile(big, lines.join('\n'));
    await assertRefused(
      await enqueue(big, '', ['--max-dataset-mb', '1']),
      /big\.csv: the train file has 1\.\d MB, more than the 1 MB limit: raise --max-dataset-mb/,
    );
    await assertRefused(
      await runCli(['enqueue', path.join(dir, `spec-${specs}.yaml`), '--json'], { ...env, LSW_MAX_DATASET_MB: '1' }),
      /more than the 1 MB limit/,
    );
    const ok = await enqueue(big);
    assert.equal(ok.code, 0, ok.stderr);
    await deletePrefix(redis, prefix);
  });

  test('a million columns are refused from the header, before the rows are parsed', async () => {
    const wide = path.join(dir, 'wide.csv');
    const handle = await open(wide, 'w');
    const columns = 1_000_000;
    await handle.write('label,' + Array.from({ length: columns }, (_, t) => `t${t}`).join(',') + '\n');
    for (const label of [0, 1, 0, 1]) await handle.write(label + ',' + '0.5,'.repeat(columns - 1) + '0.5\n');
    await handle.close();
    await assertRefused(await enqueue(wide), /wide\.csv line 1: samples have 1,000,000 time steps: at most 100,000 are supported/);
  });
});

describe('what the protocol needs', () => {
  test('one series per class is refused: no validation split possible', async () => {
    const file = path.join(dir, 'one-each.csv');
    await writeFile(file, 'label,t0,t1,t2\n0,1,2,3\n1,3,2,1\n');
    await assertRefused(
      await enqueue(file),
      /class 0 has 1, class 1 has 1 series in the train file; the holdout protocol needs at least 2 series of every class/,
    );
  });

  test('cross-validation with fewer series of a class than folds is refused, naming the class', async () => {
    const file = path.join(dir, 'small-class.csv');
    const rows = ['label,t0,t1,t2'];
    for (let i = 0; i < 12; i++) rows.push(`0,${i},1,2`);
    for (let i = 0; i < 3; i++) rows.push(`1,${i},2,1`);
    await writeFile(file, rows.join('\n'));
    await assertRefused(
      await enqueue(file, ', protocol: cv, folds: 5'),
      /class 1 has 3 series in the train file; 5-fold cross-validation needs at least 5 series of every class/,
    );
  });
});

describe('CSV quirks and bad labels', () => {
  test('a trailing comma on every line is read as no column at all', async () => {
    const file = path.join(dir, 'trailing.csv');
    const rows = ['label,t0,t1,t2,'];
    for (let i = 0; i < 10; i++) rows.push(`${i % 2},${i},${i + 1},${i + 2},`);
    await writeFile(file, rows.join('\n'));
    const r = await enqueue(file);
    assert.equal(r.code, 0, r.stderr);
    const sweepId = (JSON.parse(r.stdout) as { sweepId: string }).sweepId;
    const s = await runCli(['status', sweepId, '--json'], env);
    assert.equal(s.code, 0, s.stderr);
    await deletePrefix(redis, prefix);
  });

  for (const bad of ['NaN', '-1', '0.5']) {
    test(`label ${bad} on a binary set names the label, the line and the file's labels`, async () => {
      const file = path.join(dir, `label-${bad}.csv`);
      const rows = ['label,t0,t1'];
      for (let i = 0; i < 10; i++) rows.push(`${i === 6 ? bad : i % 2},${i},1`);
      await writeFile(file, rows.join('\n'));
      await assertRefused(
        await enqueue(file),
        new RegExp(
          `label-${bad.replace('.', '\\.')}\\.csv line 8: label "${bad.replace('.', '\\.')}" is not a class: labels are class indices and this file's are 0, 1`,
        ),
      );
    });
  }

  test('the synthetic train file still enqueues (nothing above refuses good data)', async () => {
    const r = await enqueue(train);
    assert.equal(r.code, 0, r.stderr);
    await deletePrefix(redis, prefix);
  });
});
