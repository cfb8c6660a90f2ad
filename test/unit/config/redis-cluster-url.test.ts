import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RedisUrlSchema } from '../../../src/config/env.js';
import { parseClusterUrl, redactClusterUrl } from '../../../src/config/redis-cluster-url.js';
import { hashTagOf } from '../../../src/definition/ids.js';
import { Keys } from '../../../src/store/keys.js';
import { redactUrl } from '../../../src/store/redis.js';

test('a cluster URL lists its startup nodes, credentials and TLS', () => {
  assert.deepEqual(parseClusterUrl('redis+cluster://10.0.0.1:7000,redis-2:7001,[::1]:7002'), {
    nodes: [
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-2', port: 7001 },
      { host: '::1', port: 7002 },
    ],
    username: undefined,
    password: undefined,
    tls: false,
  });
  assert.deepEqual(parseClusterUrl('rediss+cluster://app:p%40ss@h:6380/'), {
    nodes: [{ host: 'h', port: 6380 }],
    username: 'app',
    password: 'p@ss',
    tls: true,
  });
  assert.equal(parseClusterUrl('redis+cluster://:secret@h:1').password, 'secret');
});

test('RedisUrlSchema accepts cluster URLs and names what is wrong in a bad one', () => {
  assert.equal(RedisUrlSchema.parse('redis+cluster://h:1,h:2'), 'redis+cluster://h:1,h:2');
  assert.equal(RedisUrlSchema.parse('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  const message = (url: string) => {
    const r = RedisUrlSchema.safeParse(url);
    assert.equal(r.success, false, url);
    return r.error!.issues.map((i) => i.message).join('; ');
  };
  assert.match(message('redis+cluster://h'), /cluster node 1 "h" is not host:port/);
  assert.match(message('redis+cluster://h:1,,h:2'), /cluster node 2 "" is not host:port/);
  assert.match(message('redis+cluster://h:70000'), /port 1-65535/);
  assert.match(message('redis+cluster://h:1/2'), /a cluster has only db 0/);
  assert.match(message('redis+cluster://h:1?x=1'), /no database, query or fragment/);
  assert.match(message('redis+cluster://:%zz@h:1'), /password is not valid percent-encoding/);
  assert.match(message('cluster://h:1'), /redis\[s\]\+cluster:\/\/host:port\[,host:port\.\.\.\] for a Redis Cluster/);
});

test('passwords never show in a printed cluster URL', () => {
  assert.equal(redactClusterUrl('redis+cluster://:secret@h:1,h:2'), 'redis+cluster://:***@h:1,h:2');
  assert.equal(redactUrl('rediss+cluster://user:secret@h:1'), 'rediss+cluster://user:***@h:1');
  assert.equal(redactUrl('redis+cluster://h:1,h:2'), 'redis+cluster://h:1,h:2');
});

test('hashTagOf follows the Redis Cluster rule: first "{" to the next "}", non-empty', () => {
  assert.equal(hashTagOf('{lsw}'), 'lsw');
  assert.equal(hashTagOf('team-{a}'), 'a');
  assert.equal(hashTagOf('lsw'), undefined);
  assert.equal(hashTagOf('{}lsw'), undefined);
  assert.equal(hashTagOf('lsw{'), undefined);
  assert.equal(hashTagOf('a{}{b}'), undefined); // the first "{" has an empty tag: the whole key is hashed
  assert.equal(hashTagOf('{{b}'), '{b');
});

test('on a cluster the store refuses a prefix without a hash tag; elsewhere any valid prefix goes', () => {
  assert.throws(() => new Keys('lsw', { cluster: true }), /no hash tag: on a Redis Cluster use one such as --prefix '\{lsw\}'/);
  assert.throws(() => new Keys('a{}{b}', { cluster: true }), /no hash tag/);
  assert.equal(new Keys('{lsw}', { cluster: true }).results('s-0123456789'), '{lsw}:sweep:s-0123456789:results');
  assert.equal(new Keys('lsw').sweeps(), 'lsw:sweeps');
  // The security checks on prefixes still hold with braces allowed.
  assert.throws(() => new Keys('{lsw}/../x', { cluster: true }), /not a key prefix made by lstm-sweep/);
});
