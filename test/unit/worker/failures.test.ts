import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnrecoverableError } from 'bullmq';
import { DatasetError, RedisOutOfMemoryError } from '../../../src/util/errors.js';
import { isRedisOutOfMemory } from '../../../src/store/redis-errors.js';
import { syntheticSplit } from '../../../src/data/synthetic.js';
import { initBackend, ModelBuildError, NonFiniteLossError, trainTrial } from '../../../src/model/index.js';
import { DatasetUnavailableError } from '../../../src/store/dataset-store.js';
import { classifyFailure, isDeterministic } from '../../../src/worker/failures.js';

test('deterministic failures become UnrecoverableError; transient ones stay retryable', () => {
  const deterministic = [
    new NonFiniteLossError(3, Number.NaN, 'training'),
    new ModelBuildError({ depth: 1, width: 1, head: 'dense' }, new Error('bad shape')),
    new DatasetError('train.csv', 2, 'bad'),
    new DatasetUnavailableError('gone'),
  ];
  for (const err of deterministic) {
    assert.ok(isDeterministic(err), err.name);
    const out = classifyFailure(err);
    assert.ok(out instanceof UnrecoverableError);
    assert.match(out.message, new RegExp(`^${err.name}: `));
  }
  for (const err of [new Error('Connection is closed.'), new RangeError('Array buffer allocation failed'), 'string thrown']) {
    assert.equal(isDeterministic(err), false);
    assert.ok(!(classifyFailure(err) instanceof UnrecoverableError));
  }
});

test('host failures are transient, also when a model build wraps them; the rest of a build failure is deterministic', () => {
  const trap = new WebAssembly.RuntimeError('table index is out of bounds');
  for (const err of [
    trap,
    new ModelBuildError({ depth: 64, width: 4096, head: 'dense' }, trap),
    new ModelBuildError({ depth: 64, width: 4096, head: 'dense' }, new RangeError('Array buffer allocation failed')),
    new Error('memory access out of bounds'),
  ]) {
    assert.equal(isDeterministic(err), false, String(err));
    assert.ok(!(classifyFailure(err) instanceof UnrecoverableError));
  }
  assert.equal(isDeterministic(new ModelBuildError({ depth: 1, width: 1, head: 'lstm' }, new Error('the lstm head is binary only'))), true);
});

test('a trial on non-finite inputs fails with NonFiniteLossError (classified deterministic)', async () => {
  await initBackend('wasm');
  const split = syntheticSplit({ n: 16, timesteps: 6, seed: 1 });
  const x = split.x.map((v, i) => (i === 5 ? Number.POSITIVE_INFINITY : v));
  const config = {
    depth: 1,
    width: 4,
    dropout: 0,
    recurrentDropout: 0,
    learningRate: 0.01,
    batchSize: 8,
    epochs: 2,
    patience: 0,
    head: 'dense',
    seed: 1,
  } as const;
  await assert.rejects(
    trainTrial(config, { train: { ...split, x }, validation: { ...split, x } }),
    (err: unknown) => isDeterministic(err) && err instanceof NonFiniteLossError,
  );
});

test('a Redis connection that went away is transient for the producer; command errors are not', async () => {
  const { isTransientRedisError, retryTransient } = await import('../../../src/util/retry.js');
  for (const m of [
    'read ECONNRESET',
    'Command aborted due to connection close',
    'Connection is closed.',
    'LOADING Redis is loading the dataset in memory',
  ]) {
    assert.ok(isTransientRedisError(new Error(m)), m);
  }
  assert.equal(isTransientRedisError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')), false);
  let calls = 0;
  const value = await retryTransient(
    async () => {
      if (++calls < 3) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      return 'ok';
    },
    { delayMs: 1 },
  );
  assert.deepEqual([value, calls], ['ok', 3]);
  await assert.rejects(
    retryTransient(
      async () => {
        throw new Error('NOPERM');
      },
      { delayMs: 1 },
    ),
    /NOPERM/,
  );
});

test("data past JavaScript's own size limits fails at once: the same numbers overflow them on any host", () => {
  for (const err of [new RangeError('Invalid typed array length: 4000000000'), new RangeError('Maximum call stack size exceeded')]) {
    assert.ok(isDeterministic(err), err.message);
    assert.ok(classifyFailure(err) instanceof UnrecoverableError);
  }
});

test('Redis out of memory is transient, and recognised behind a script or an aborted MULTI', () => {
  const oom = new RedisOutOfMemoryError('maxmemory 12.00M, used 12.31M, policy noeviction');
  assert.equal(isDeterministic(oom), false);
  assert.ok(!(classifyFailure(oom) instanceof UnrecoverableError));
  assert.match(oom.message, /^Redis is out of memory \(maxmemory 12\.00M/);
  const script = new Error("OOM command not allowed when used memory > 'maxmemory'. script: 5ab4, on @user_script:589.");
  const execAbort = Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), {
    previousErrors: [new Error("OOM command not allowed when used memory > 'maxmemory'.")],
  });
  assert.ok(isRedisOutOfMemory(script));
  assert.ok(isRedisOutOfMemory(execAbort));
  assert.equal(
    isRedisOutOfMemory(Object.assign(new Error('EXECABORT Transaction discarded'), { previousErrors: [new Error('WRONGTYPE')] })),
    false,
  );
});
