import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ensureRedis } from '../../../src/demo/local-redis.js';
import { REDIS_URL } from '../../helpers.js';

describe('demo redis', () => {
  test('starts a throwaway redis-server when none answers, and stops it', async (t) => {
    const { spawnSync } = await import('node:child_process');
    if (spawnSync('redis-server', ['--version']).error) return t.skip('redis-server is not installed');
    const local = await ensureRedis('redis://127.0.0.1:1');
    assert.notEqual(local.url, 'redis://127.0.0.1:1');
    const client = new Redis(local.url);
    assert.equal(await client.ping(), 'PONG');
    client.disconnect();
    await local.stop();
    const probe = new Redis(local.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    await assert.rejects(probe.connect());
    probe.disconnect();
  });

  test('uses the given Redis when it answers', async () => {
    const used = await ensureRedis(REDIS_URL);
    assert.equal(used.url, REDIS_URL);
    await used.stop();
  });
});
