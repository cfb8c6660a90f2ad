import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readEnv } from '../../../src/config/env.js';
import { PASSWORD_FD, trainerLogin, trainerRedisUrl } from '../../../src/worker/trainer-login.js';
import { trainerEnv } from '../../../src/worker/worker.js';

describe('worker environment', () => {
  const opts = { redisUrl: 'redis://h:1', prefix: 'p', backend: 'tensorflow', cacheDir: '/c', artifacts: 'redis', concurrency: 1 };

  test('--gpu pins the trainer processes to one GPU; settings reach them', () => {
    const env = trainerEnv({ ...opts, gpu: 1 }, {}, trainerLogin(opts.redisUrl));
    assert.equal(env.CUDA_VISIBLE_DEVICES, '1');
    assert.deepEqual([env.REDIS_URL, env.LSW_PREFIX, env.LSW_BACKEND, env.LSW_CACHE_DIR], ['redis://h:1', 'p', 'tensorflow', '/c']);
    assert.equal(trainerEnv(opts, {}, trainerLogin(opts.redisUrl)).CUDA_VISIBLE_DEVICES, undefined);
    assert.equal(trainerEnv({ ...opts, engine: 'layers' }, {}, trainerLogin(opts.redisUrl)).LSW_ENGINE, 'layers');
  });

  test('with the gpu engine, --gpu N selects WebGPU adapter N (CUDA devices untouched)', () => {
    const env = trainerEnv({ ...opts, engine: 'gpu', gpu: 2 }, {}, trainerLogin(opts.redisUrl));
    assert.deepEqual([env.LSW_ENGINE, env.LSW_GPU_ADAPTER, env.CUDA_VISIBLE_DEVICES], ['gpu', '2', undefined]);
    assert.equal(readEnv({ LSW_GPU_ADAPTER: env.LSW_GPU_ADAPTER }).LSW_GPU_ADAPTER, 2);
    assert.throws(() => readEnv({ LSW_GPU_ADAPTER: '-1' }), /LSW_GPU_ADAPTER/);
  });

  test('the Redis password reaches trainers on a descriptor, never in their environment', () => {
    const password = 'p@ss:w/rd%20 ü';
    const url = `redis://alice:${encodeURIComponent(password)}@h:1/3`;
    const base = { REDIS_URL: url, REDIS_PASSWORD_FILE: '/secret/file', HOME: '/home/a' };
    const login = trainerLogin(url);
    const env = trainerEnv({ ...opts, redisUrl: url }, base, login);
    assert.equal(env.REDIS_URL, 'redis://alice@h:1/3');
    assert.equal(env.REDIS_PASSWORD_FILE, undefined);
    assert.equal(env.HOME, '/home/a');
    assert.ok(!JSON.stringify(env).includes('p%40ss') && !JSON.stringify(env).includes('ss:w'), JSON.stringify(env));
    assert.equal(env.LSW_REDIS_PASSWORD_FD, String(PASSWORD_FD));
    // Forked trainers get the worker's descriptor as fd 4; here it is read where the worker has it.
    const fd = login.stdio?.[PASSWORD_FD];
    assert.equal(typeof fd, 'number');
    const restored = new URL(trainerRedisUrl(env.REDIS_URL!, { ...env, LSW_REDIS_PASSWORD_FD: String(fd) }));
    assert.equal(decodeURIComponent(restored.password), password);
    assert.equal(restored.username, 'alice');
  });
});
