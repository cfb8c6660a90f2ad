/**
 * The CLI loads only what the command being run needs: `--version`, `--help`, `status`, `sweeps`
 * and `leaderboard` never load TensorFlow.js, the wasm engine, BullMQ or express (they made every
 * command take about a second to start). Checked by tracing the modules each process loads
 * (test/fixtures/module-trace.mjs), not by timing. Speed: `npm run bench:cli-start`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_URL, REPO_ROOT, deletePrefix, runCli, runNode, CLI, uniquePrefix } from '../helpers.js';

const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix };
const TRACE_HOOK = path.join(REPO_ROOT, 'test', 'fixtures', 'module-trace.mjs');
let dir: string;
let sweepId: string;
let redis: Redis;

/** The model stack and the server side: what a light command must never load. */
const HEAVY = [
  /node_modules\/@tensorflow\//,
  /dist\/model\/fast\//,
  /dist\/worker\//,
  /node_modules\/express\//,
  /node_modules\/@bull-board\//,
];

/** Runs the CLI with the module trace; returns its result and the modules it loaded. */
async function traced(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; modules: string[] }> {
  const file = path.join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(file, '');
  const r = await runNode(['--import', TRACE_HOOK, CLI, ...args], { ...env, LSW_MODULE_TRACE: file });
  const modules = [
    ...new Set(
      (await readFile(file, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(4)),
    ),
  ];
  return { ...r, modules };
}

function assertNone(modules: string[], patterns: RegExp[], what: string): void {
  for (const p of patterns) {
    const hit = modules.find((m) => p.test(m));
    assert.equal(hit, undefined, `${what} loaded ${hit}`);
  }
}

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-cli-start-'));
  await writeFile(path.join(dir, 'train.csv'), 'label,t0,t1,t2\n0,1,2,3\n1,2,3,4\n0,1,2,2\n1,2,3,3\n');
  await writeFile(
    path.join(dir, 'spec.yaml'),
    'name: light\ndataset: { train: train.csv, protocol: holdout, validationSplit: 0.5 }\nparameters: { depth: [1, 2], width: [4, 8] }\ndryRun: true\n',
  );
  const r = await runCli(['enqueue', path.join(dir, 'spec.yaml'), '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  sweepId = (JSON.parse(r.stdout) as { sweepId: string }).sweepId;
});
after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('what each command loads', () => {
  test('the trace sees TensorFlow.js where it is loaded (model summary)', async () => {
    const r = await traced(['model', '--timesteps', '4', '--features', '1', '--width', '2', '--depth', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.modules.some((m) => /node_modules\/@tensorflow\/tfjs/.test(m)),
      'the trace works',
    );
  });

  test('--version and --help load commander and the command table only', async () => {
    for (const args of [['--version'], ['--help']]) {
      const r = await traced(args);
      assert.equal(r.code, 0, r.stderr);
      const outside = r.modules.filter(
        (m) => !/node_modules\/commander\/|dist\/cli\/(main|command-table)\.js|dist\/cli\/terminal-text\.js|dist\/util\/errors\.js/.test(m),
      );
      assert.deepEqual(outside, [], `${args.join(' ')} loaded more than the command table`);
    }
  });

  test('status, sweeps, leaderboard and compare of a 4-trial sweep load no model stack, no BullMQ, no express', async () => {
    for (const args of [
      ['status', sweepId],
      ['status', 'no-such-sweep'],
      ['sweeps'],
      ['leaderboard', sweepId],
      ['compare', sweepId, '--by', 'depth'],
    ]) {
      const r = await traced(args);
      assert.equal(r.code, args[1] === 'no-such-sweep' ? 2 : 0, r.stderr);
      assert.ok(
        r.modules.some((m) => /node_modules\/ioredis\//.test(m)),
        'talks to Redis',
      );
      // Nor the CSV parsers: reading a stored sweep needs the names of the formats only.
      assertNone(r.modules, [...HEAVY, /node_modules\/bullmq\//, /node_modules\/csv-parse\//], args.join(' '));
    }
  });

  test('cancel loads BullMQ (it removes jobs) but no model stack', async () => {
    const r = await traced(['cancel', sweepId]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.modules.some((m) => /node_modules\/bullmq\//.test(m)));
    assertNone(r.modules, HEAVY, 'cancel');
  });
});

describe('help still lists everything', () => {
  test('--help lists every command with its description', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const [name, words] of [
      ['enqueue', 'validate a sweep spec'],
      ['worker', 'take trials from the queue'],
      ['status', 'trial counts of a sweep'],
      ['cancel', 'remove the queued trials'],
      ['controller', 'keep a tpe sweep supplied'],
      ['leaderboard', "a sweep's finished trials ranked"],
      ['compare', 'paired comparisons'],
      ['sweeps', 'list sweeps, newest first'],
      ['best', "show a sweep's best trial"],
      ['predict', 'probabilities and labels'],
      ['dashboard', 'web dashboard'],
      ['model', 'print the Keras-style summary'],
      ['demo', 'run a small real sweep'],
    ]) {
      assert.match(r.stdout, new RegExp(`^  ${name} +${words}`, 'm'), name);
    }
  });

  test('worker --help and help worker show its description and every option', async () => {
    for (const args of [
      ['worker', '--help'],
      ['help', 'worker'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: lstm-sweep worker \[options\]/m);
      assert.match(r.stdout, /take trials from the queue, train them/);
      for (const option of [
        '--concurrency <n>',
        '--backend <name>',
        '--engine <name>',
        '--pack <k>',
        '--gpu <index>',
        '--cache-dir <dir>',
        '--artifacts <where>',
        '--grace <seconds>',
        '--redis <url>',
        '--prefix <prefix>',
      ]) {
        assert.ok(r.stdout.includes(option), `${args.join(' ')} lists ${option}`);
      }
    }
  });
});

test(
  'bench:cli-start --runs 1 --json: every command ran as expected, the documented JSON, no keys left',
  { timeout: 120_000 },
  async () => {
    const r = await runNode(['--import', 'tsx', 'bench/cli-start.ts', '--runs', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim()) as {
      runs: number;
      failures: string[];
      results: Array<{ command: string; current: { medianMs: number; minMs: number; cpuMedianMs: number } }>;
    };
    assert.equal(out.runs, 1);
    assert.deepEqual(out.failures, []);
    assert.deepEqual(
      out.results.map((row) => row.command),
      [
        'node (empty script)',
        '--version',
        '--help',
        'worker --help',
        'status (4 trials)',
        'status <unknown sweep>',
        'sweeps',
        'leaderboard',
        'cancel',
      ],
    );
    for (const row of out.results)
      for (const v of Object.values(row.current)) assert.ok(v > 0, `${row.command}: ${JSON.stringify(row.current)}`);
    const benchPrefix = r.stderr.match(/lswbench-clistart-\d+-[0-9a-f]+/)?.[0];
    assert.ok(benchPrefix, r.stderr);
    const [, left] = await redis.scan('0', 'MATCH', `${benchPrefix}:*`, 'COUNT', 10_000);
    assert.deepEqual(left, []);
  },
);
