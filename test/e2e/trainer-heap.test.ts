/**
 * A trainer process that lives for many trials keeps what it retains bounded (#12.10). Runs
 * bench:memory's soak (real Redis, a real BullMQ worker, ONE sandboxed trainer process running
 * the built processor; needs dist/, which `npm test` builds) and asserts the mechanism that leaked:
 * tfjs-layers' tensor-name registry stops growing once every config of the cycle has been seen
 * (it gained ~20 keys per trial before), no tensor is left, and one process trained them all.
 * The heap slope itself is reported, not asserted: over a few hundred trials the heap after a
 * forced GC wanders by a few hundred KB, more than the leak's ~1.5 KB per trial.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { SoakResult } from '../../bench/memory-soak.js';
import { CONFIG_CYCLE } from '../../bench/memory-common.js';
import { REDIS_URL, runNode } from '../helpers.js';

test('one trainer process, 120 real trials: tensor-name registry and tensors stay flat', { timeout: 300_000 }, async () => {
  const { code, stdout, stderr } = await runNode([
    '--import',
    'tsx',
    'bench/memory.ts',
    '--soak',
    '--trials',
    '120',
    '--every',
    '4',
    '--json',
  ]);
  assert.notEqual(code, 2, stderr);
  const result = JSON.parse(stdout.trim()) as SoakResult;
  assert.equal(result.trials, 120);
  assert.equal(result.trainerProcesses, 1, 'all trials in one trainer process');
  assert.deepEqual(result.tensors, { start: 0, end: 0 });

  const names = result.samples.filter((s) => s.trial >= CONFIG_CYCLE.length).map((s) => s.tensorNames);
  assert.ok(names.length >= 25, `samples: ${names.length}`);
  assert.equal(typeof names[0], 'number', 'the trainer can read the registry');
  assert.deepEqual(
    names,
    names.map(() => names[0]),
    `registry sizes after trial ${CONFIG_CYCLE.length}: ${names.join(' ')}`,
  );
  assert.ok(names[0]! < 100, `registry holds ${names[0]} names: only the base names of the configs' layers`);
  assert.equal(typeof result.bytesPerTrial, 'number');

  const prefix = /lswbench-soak-\d+-[0-9a-f]+/.exec(stderr)?.[0];
  assert.ok(prefix, stderr);
  const redis = new Redis(REDIS_URL);
  try {
    const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 10_000);
    assert.deepEqual(keys, [], `keys left under ${prefix}`);
  } finally {
    redis.disconnect();
  }
});
