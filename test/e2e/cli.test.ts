/**
 * Bad input at the CLI: one clear line, a non-zero exit, and nothing in Redis changed (the
 * prefix already holds a sweep, whose every key is compared before and after).
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_URL, deletePrefix, keysUnder, runCli, uniquePrefix } from '../helpers.js';

const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix };
let redis: Redis;
let dir: string;
let snapshot: Map<string, string>;

/** Every key under the prefix with its serialized value. */
async function dumpPrefix(): Promise<Map<string, string>> {
  const keys = (await keysUnder(redis, prefix)).sort();
  const values = await Promise.all(keys.map((k) => redis.dumpBuffer(k)));
  return new Map(keys.map((k, i) => [k, values[i]?.toString('base64') ?? '']));
}

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-cli-'));
  await writeFile(path.join(dir, 'train.csv'), 'label,t0,t1,t2\n0,1,2,3\n1,2,3,4\n0,1,2,3\n1,2,3,4\n');
  await writeFile(path.join(dir, 'ragged.csv'), 'label,t0,t1,t2\n0,1,2,3\n1,2,3\n');
  await writeFile(path.join(dir, 'labels.csv'), 'label,t0,t1\n0,1,2\n1,2,3\n3,1,1\n');
  // An existing sweep that bad input must leave exactly as it is.
  await writeFile(
    path.join(dir, 'existing.yaml'),
    'name: existing\ndataset: { train: train.csv, validationSplit: 0.5 }\nparameters: { depth: [1, 2] }\n',
  );
  const r = await runCli(['enqueue', path.join(dir, 'existing.yaml')], env);
  assert.equal(r.code, 0, r.stderr);
  snapshot = await dumpPrefix();
  assert.ok(snapshot.size > 3);
});
after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

async function expectUserError(args: string[], pattern: RegExp, extraEnv: NodeJS.ProcessEnv = {}) {
  const r = await runCli(args, { ...env, ...extraEnv });
  assert.equal(r.code, 2, `exit code of ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.deepEqual(await dumpPrefix(), snapshot, 'nothing in Redis changed');
}

async function spec(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, body);
  return file;
}

describe('CLI errors', () => {
  test('missing spec file', () => expectUserError(['enqueue', path.join(dir, 'nope.yaml')], /cannot read spec file .*nope\.yaml: ENOENT/));

  test('invalid spec names the field', async () =>
    expectUserError(
      ['enqueue', await spec('bad.yaml', 'name: x\ndataset: { train: train.csv }\nparameters: { depth: [0] }\n')],
      /bad\.yaml: parameters\.depth\[0\]/,
    ));

  test('malformed JSON', async () =>
    expectUserError(['enqueue', await spec('bad.json', '{"name": "x", "dataset": ')], /bad\.json: not valid YAML\/JSON/));

  test('an empty grid', async () =>
    expectUserError(
      ['enqueue', await spec('empty.yaml', 'name: x\ndataset: { train: train.csv }\nparameters: { width: [] }\n')],
      /parameters\.width: .*at least one value/,
    ));

  test('labels that skip a class', async () =>
    expectUserError(
      ['enqueue', await spec('labels.yaml', 'name: x\ndataset: { train: labels.csv }\n')],
      /labels\.csv: labels must be the classes 0\.\.3, each present in the training file; missing: 2/,
    ));

  test('more than two classes with the binary-only lstm head', async () => {
    await writeFile(path.join(dir, 'three.csv'), 'label,t0,t1\n0,1,2\n1,2,3\n2,3,4\n0,1,1\n1,2,2\n2,3,3\n');
    await expectUserError(
      ['enqueue', await spec('three.yaml', 'name: x\ndataset: { train: three.csv }\nparameters: { head: [dense, lstm] }\n')],
      /three\.csv has 3 classes: the lstm head is binary only/,
    );
  });

  test('a trial too big to train is refused before anything is stored, naming its size', async () => {
    await writeFile(path.join(dir, 'small.csv'), 'label,t0,t1,t2\n0,1,2,3\n1,2,3,4\n0,1,1,1\n1,2,2,2\n');
    await expectUserError(
      ['enqueue', await spec('huge.yaml', 'name: x\ndataset: { train: small.csv }\nparameters: { depth: [1, 64], width: [8, 4096] }\n')],
      /a trial of depth 64, width 4096, batch 16 needs about [0-9.]+ GiB to train \(8,5[0-9,]+ parameters: .*above the limit of 2\.0 GiB: .*--max-trial-memory/,
    );
    const tpe = await spec(
      'huge-tpe.yaml',
      'name: x\ndataset: { train: small.csv }\nmethod: tpe\ncount: 4\nparameters: { width: { min: 8, max: 512 }, batchSize: [16, 64] }\n',
    );
    await expectUserError(
      ['enqueue', tpe, '--max-trial-memory', '16'],
      /depth 2, width 512, batch 64 needs about .* above the limit of 16 MiB/,
    );
    await expectUserError(['enqueue', tpe], /above the limit of 16 MiB/, { LSW_MAX_TRIAL_MEMORY_MB: '16' });
    await expectUserError(['enqueue', tpe, '--max-trial-memory', 'lots'], /--max-trial-memory: /);
  });

  test('an unreadable dataset path', async () =>
    expectUserError(
      ['enqueue', await spec('dir.yaml', 'name: x\ndataset: { train: . }\n')],
      /the train file is a directory, not a regular file/,
    ));

  test('missing dataset file', async () =>
    expectUserError(['enqueue', await spec('nodata.yaml', 'name: x\ndataset: { train: missing.csv }\n')], /missing\.csv/));

  test('ragged CSV names file and line', async () =>
    expectUserError(['enqueue', await spec('ragged.yaml', 'name: x\ndataset: { train: ragged.csv }\n')], /ragged\.csv line 3/));

  test('a huge grid needs --yes', async () =>
    expectUserError(
      [
        'enqueue',
        await spec(
          'huge.yaml',
          `name: x\ndataset: { train: train.csv }\nparameters:\n  width: [${Array.from({ length: 400 }, (_, i) => i + 1).join(',')}]\n  depth: [${Array.from({ length: 64 }, (_, i) => i + 1).join(',')}]\n  dropout: [0, 0.1, 0.2, 0.3]\n`,
        ),
      ],
      /102,400 trials; re-run with --yes/,
    ));

  test('unreachable Redis', async () =>
    expectUserError(['status', 'x'], /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1.*is redis-server running/, {
      REDIS_URL: 'redis://127.0.0.1:1',
    }));

  test('the password in a Redis URL is never printed', async () => {
    const r = await runCli(['status', 'x'], { ...env, REDIS_URL: 'redis://:s3cret-pw@127.0.0.1:1' });
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret-pw/);
    assert.match(r.stderr, /\*\*\*/);
  });

  test('bad REDIS_URL and bad flags', async () => {
    await expectUserError(
      ['status', 'x'],
      /environment: REDIS_URL: "http:\/\/x" has the scheme http:\/\/, not redis:\/\/, rediss:\/\/ or redis\+cluster:\/\/; expected redis\[s\]:\/\//,
      {
        REDIS_URL: 'http://x',
      },
    );
    await expectUserError(
      ['status', 'x', '--redis', 'redis://[::1'],
      /--redis: "redis:\/\/\[::1" is not a valid URL; expected redis\[s\]:\/\/\[\[user\]:password@\]host\[:port\]\[\/db\]/,
    );
    await expectUserError(['status', 'x', '--redis', 'redis://:s3cret@[::1'], /--redis: "redis:\/\/\*\*\*@\[::1" is not a valid URL/);
    await expectUserError(['status', 'x'], /REDIS_URL: .* has the db index "zero", not a number/, {
      REDIS_URL: 'redis://127.0.0.1:6379/zero',
    });
    await expectUserError(['status', 'x'], /REDIS_URL: .* has a query or fragment/, { REDIS_URL: 'redis://127.0.0.1:6379/0?password=x' });
    await expectUserError(['leaderboard', 'x', '--limit', '0'], /invalid option: limit/);
    await expectUserError(['worker', '--concurrency', 'many'], /invalid option: concurrency/);
    await expectUserError(['worker', '--engine', 'turbo'], /invalid option: engine/);
    await expectUserError(['worker'], /environment: LSW_ENGINE/, { LSW_ENGINE: 'turbo' });
  });

  test('usage errors exit 2: unknown option, unknown command, missing argument, missing required option', async () => {
    for (const [args, pattern] of [
      [['status', 'x', '--bogus'], /unknown option '--bogus'/],
      [['--bogus'], /unknown option '--bogus'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['status'], /missing required argument 'sweepId'/],
      [['predict', '--data', 'x.csv'], /required option '--model <dir>' not specified/],
      [['sweeps', 'extra'], /too many arguments/],
      [[], /Usage: lstm-sweep/],
    ] as const) {
      const r = await runCli([...args], env);
      assert.equal(r.code, 2, `exit code of ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
    assert.deepEqual(await dumpPrefix(), snapshot, 'nothing in Redis changed');
  });

  test('--backend tensorflow without tfjs-node(-gpu) installed', () =>
    expectUserError(['worker', '--backend', 'tensorflow'], /needs @tensorflow\/tfjs-node-gpu@4\.22\.0.*npm install/));

  test('unknown sweep', () => expectUserError(['status', 'no-such-sweep'], /no sweep "no-such-sweep"/));

  test('model summary ends with the Keras total', async () => {
    const r = await runCli(['model', '--timesteps', '32', '--features', '10', '--width', '10', '--depth', '8']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Total params: 6,731$/m);
    assert.match(r.stdout, /Non-trainable params: 0/);
  });

  test('every command has --help', async () => {
    for (const cmd of ['enqueue', 'worker', 'status', 'leaderboard', 'sweeps', 'model', 'demo']) {
      const r = await runCli([cmd, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`Usage: lstm-sweep ${cmd}`));
    }
  });
});
