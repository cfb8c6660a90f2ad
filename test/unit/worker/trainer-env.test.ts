import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { trainerEnv } from '../../../src/worker/worker.js';

describe('worker environment', () => {
  test('--gpu pins the trainer processes to one GPU; settings reach them', () => {
    const opts = { redisUrl: 'redis://h:1', prefix: 'p', backend: 'tensorflow', cacheDir: '/c', artifacts: 'redis', concurrency: 1 };
    const env = trainerEnv({ ...opts, gpu: 1 }, {});
    assert.equal(env.CUDA_VISIBLE_DEVICES, '1');
    assert.deepEqual([env.REDIS_URL, env.LSW_PREFIX, env.LSW_BACKEND, env.LSW_CACHE_DIR], ['redis://h:1', 'p', 'tensorflow', '/c']);
    assert.equal(trainerEnv(opts, {}).CUDA_VISIBLE_DEVICES, undefined);
    assert.equal(trainerEnv({ ...opts, engine: 'layers' }, {}).LSW_ENGINE, 'layers');
  });
});
