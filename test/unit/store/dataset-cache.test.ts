/**
 * A worker's dataset cache never leaves a partial `*.tmp` file behind when writing it fails for
 * real: a file size limit (EFBIG, as a full disk gives ENOSPC half-way through a write) in a child
 * process, and a rename onto a directory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { encodeDataset } from '../../../src/data/codec.js';
import { syntheticSplit } from '../../../src/data/synthetic.js';
import { DatasetStore } from '../../../src/store/dataset-store.js';
import { REDIS_URL, REPO_ROOT, deletePrefix, uniquePrefix } from '../../helpers.js';

const prefix = uniquePrefix();
let redis: Redis;
let dir: string;
let hash: string;
let encoded: Buffer;

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-cache-'));
  // About 40 KB encoded: well past the 8 KB file size limit below.
  encoded = encodeDataset({ train: syntheticSplit({ n: 100, timesteps: 100, seed: 2 }) });
  hash = await new DatasetStore(redis, prefix).put(encoded);
});

after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

async function tmpFiles(cacheDir: string): Promise<string[]> {
  const files = await readdir(path.join(cacheDir, 'datasets')).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.tmp'));
}

describe('dataset cache writes', () => {
  test('a write cut off by the file size limit (EFBIG) leaves no temp file, and the trial still gets its data', async () => {
    const cacheDir = path.join(dir, 'efbig');
    const script = path.join(dir, 'fetch.mjs');
    await writeFile(
      script,
      [
        `import { Redis } from ${JSON.stringify(path.join(REPO_ROOT, 'node_modules/ioredis/built/index.js'))};`,
        `import { DatasetStore } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/store/dataset-store.js'))};`,
        `const redis = new Redis(${JSON.stringify(REDIS_URL)});`,
        `const ds = await new DatasetStore(redis, ${JSON.stringify(prefix)}, ${JSON.stringify(cacheDir)}).get(${JSON.stringify(hash)});`,
        'console.log(ds.train.n);',
        'redis.disconnect();',
      ].join('\n'),
    );
    // ulimit -f counts 1024-byte blocks: files may not grow past 8 KB in this shell and its children.
    const r = spawnSync('bash', ['-c', `ulimit -f 8 && exec "${process.execPath}" "${script}"`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '100');
    assert.deepEqual(await tmpFiles(cacheDir), []);
    assert.ok(
      (await readdir(path.join(cacheDir, 'datasets'))).every((f) => !f.endsWith('.bin')),
      'no partial cache entry either',
    );
  });

  test('a rename that fails leaves no temp file', async () => {
    const cacheDir = path.join(dir, 'rename');
    // The cache entry's name is taken by a non-empty directory: the final rename fails.
    await mkdir(path.join(cacheDir, 'datasets', `${hash}.bin`, 'taken'), { recursive: true });
    const ds = await new DatasetStore(redis, prefix, cacheDir).get(hash);
    assert.equal(ds.train.n, 100);
    assert.deepEqual(await tmpFiles(cacheDir), []);
  });
});
