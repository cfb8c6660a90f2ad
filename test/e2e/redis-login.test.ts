/**
 * Logging in to Redis without leaking the password, and connection settings that are refused
 * before they can do harm. Its own redis-server instances on ports 6430-6431 (requirepass; an ACL
 * without CONFIG), started here and stopped in `after`; the shared Redis for the db checks.
 *
 * - A full sweep (real training) through `--redis-password-file` / `REDIS_PASSWORD_FILE`: the
 *   trainer processes' /proc/<pid>/environ and cmdline never hold the password, nor, with a
 *   password in REDIS_URL, do the trainers' (they read it from an inherited descriptor).
 * - A password in `--redis` works and draws a warning that ps shows it.
 * - Password files are validated (missing, a folder, a FIFO, empty, several lines, too big, given
 *   twice); db indexes beyond the server's `databases` or not numbers are refused.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { REDIS_URL, childPids, exited, runCli, spawnCli, waitFor, type CliResult } from '../helpers.js';

/** Ports reserved for this suite. */
const PASSWORD_PORT = 6430;
const NO_CONFIG_PORT = 6431;
const password = `lswlogin-${randomBytes(12).toString('hex')}`;
const servers: ChildProcess[] = [];
const workers: ChildProcess[] = [];
let dir: string;
let passwordFile: string;

async function startRedis(port: number, extra: string[]): Promise<void> {
  const work = await mkdtemp(path.join(dir, 'redis-'));
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', work, ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  servers.push(proc);
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server on ${port} exited: ${log}`);
      return /Ready to accept connections/.test(log) ? true : undefined;
    },
    20_000,
    `redis-server on port ${port}`,
  );
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-login-'));
  // Trimmed when read: surrounding white space and the final newline are not part of it.
  passwordFile = path.join(dir, 'redis-password');
  await writeFile(passwordFile, `  ${password}\n`, { mode: 0o600 });
  await startRedis(PASSWORD_PORT, ['--requirepass', password]);
  await startRedis(NO_CONFIG_PORT, ['--user', 'default', 'on', 'nopass', '~*', '&*', '+@all', '-config']);
});

after(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  for (const s of servers) s.kill('SIGTERM');
  await Promise.all(servers.map((s) => exited(s)));
  await rm(dir, { recursive: true, force: true });
});

/** What /proc shows of a process to others: its environment and its command line. */
async function procText(pid: number): Promise<string> {
  const [environ, cmdline] = await Promise.all([readFile(`/proc/${pid}/environ`), readFile(`/proc/${pid}/cmdline`)]);
  return `${environ.toString('utf8')}\n${cmdline.toString('utf8')}`;
}

function assertNoPassword(text: string, what: string): void {
  for (const form of [password, encodeURIComponent(password)]) assert.ok(!text.includes(form), `${what} holds the password`);
}

async function spec(name: string, dryRun: boolean): Promise<string> {
  const data = path.join(dir, name);
  await writeSyntheticUcr(data, { trainSize: 24, testSize: 12, timesteps: 8, seed: 5 });
  const file = path.join(data, 'sweep.yaml');
  await writeFile(
    file,
    `name: ${name}\ndataset: { train: train.csv, test: test.csv, protocol: holdout, validationSplit: 0.25 }\nparameters: { depth: [1], width: [2, 3], epochs: [2], patience: [0] }\ndryRun: ${dryRun}\n`,
  );
  return file;
}

/**
 * Enqueues `specFile`, runs a worker (2 trainers, or `workerArgs`) until every trial is done, and checks what
 * /proc shows of the worker's trainer processes while they are alive. Returns the transcript.
 */
async function sweepThrough(
  specFile: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  workerEnv: NodeJS.ProcessEnv = env,
  workerArgs = ['--concurrency', '2'],
): Promise<string> {
  const outputs: CliResult[] = [];
  const enq = await runCli(['enqueue', specFile, '--json', ...args], env);
  outputs.push(enq);
  assert.equal(enq.code, 0, enq.stderr);
  const { sweepId, trials } = JSON.parse(enq.stdout) as { sweepId: string; trials: number };
  const worker = spawnCli(['worker', ...workerArgs, ...args], { ...workerEnv, LSW_CACHE_DIR: path.join(dir, `cache-${sweepId}`) });
  workers.push(worker);
  try {
    await waitFor(
      async () => {
        if (worker.exitCode !== null) throw new Error(`worker exited: ${worker.output()}`);
        const r = await runCli(['status', sweepId, '--json', ...args], env);
        assert.equal(r.code, 0, r.stderr);
        const counts = JSON.parse(r.stdout) as { completed: number; failed: number };
        assert.equal(counts.failed, 0, worker.output());
        return counts.completed === trials ? true : undefined;
      },
      120_000,
      `${trials} trials of ${sweepId}`,
    );
    // BullMQ (and a pack worker) keeps its trainer processes for the next trials: they are alive to look at.
    const trainers = await childPids(worker.pid!);
    assert.ok(trainers.length >= 1, 'the worker forked trainer processes');
    for (const pid of trainers) assertNoPassword(await procText(pid), `trainer ${pid}'s environment or command line`);
    const lb = await runCli(['leaderboard', sweepId, '--json', ...args], env);
    assert.equal(lb.code, 0, lb.stderr);
    // Trial rows (a real sweep's MiniRocket baseline row, once done, comes first with kind baseline).
    const rows = (JSON.parse(lb.stdout) as Array<{ kind: string; metrics: Record<string, number>; backend: string }>).filter(
      (r) => r.kind === 'trial',
    );
    assert.equal(rows.length, trials);
    for (const row of rows) assert.ok(Number.isFinite(row.metrics.valLoss), 'trained');
    return `${outputs.map((r) => r.stdout + r.stderr).join('\n')}\n${lb.stdout}${lb.stderr}\n${worker.output()}`;
  } finally {
    worker.kill('SIGTERM');
    assert.equal(await exited(worker), 0, worker.output());
  }
}

describe('Redis password', () => {
  test(
    'a full sweep trains through a password file; no process shows the password in environ or cmdline',
    { timeout: 240_000 },
    async () => {
      const url = `redis://127.0.0.1:${PASSWORD_PORT}`;
      const prefix = `lswlogin-${randomBytes(3).toString('hex')}`;
      // The flag for enqueue and worker, the variable for the rest.
      const env = { REDIS_URL: url, LSW_PREFIX: prefix, REDIS_PASSWORD_FILE: passwordFile };
      const transcript = await sweepThrough(await spec('pwfile', false), ['--redis-password-file', passwordFile], env, {
        REDIS_URL: url,
        LSW_PREFIX: prefix,
      });
      assertNoPassword(transcript, 'the output');
      assert.doesNotMatch(transcript, /warning/);
    },
  );

  test('with the password in REDIS_URL, trainers still get it on a descriptor only', { timeout: 240_000 }, async () => {
    const env = { REDIS_URL: `redis://:${password}@127.0.0.1:${PASSWORD_PORT}`, LSW_PREFIX: `lswlogin-${randomBytes(3).toString('hex')}` };
    assertNoPassword(await sweepThrough(await spec('envurl', true), [], env), 'the output');
  });

  test('a packing worker (--pack) hands its one trainer the password the same way', { timeout: 240_000 }, async () => {
    const env = { REDIS_URL: `redis://:${password}@127.0.0.1:${PASSWORD_PORT}`, LSW_PREFIX: `lswlogin-${randomBytes(3).toString('hex')}` };
    const transcript = await sweepThrough(await spec('pack', false), [], env, env, ['--pack', '2']);
    assertNoPassword(transcript, 'the output');
    assert.match(transcript, /"event":"worker.ready".*"pack":2/);
  });

  test('a password in --redis works and draws a warning that ps shows it', async () => {
    const r = await runCli(['status', 'no-such-sweep', '--redis', `redis://:${password}@127.0.0.1:${PASSWORD_PORT}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /warning: a password in --redis is visible to every user of this host .*REDIS_URL or --redis-password-file/);
    assert.match(r.stderr, /no sweep "no-such-sweep"/);
    assertNoPassword(r.stdout + r.stderr, 'the output');
  });

  test('a wrong password from a file: exit 2, check the password', async () => {
    const wrong = path.join(dir, 'wrong-password');
    await writeFile(wrong, 'not-it\n');
    const r = await runCli(['status', 'x', '--redis-password-file', wrong], { REDIS_URL: `redis://127.0.0.1:${PASSWORD_PORT}` });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:6430: .*check the password/);
    assert.doesNotMatch(r.stderr, /not-it/);
  });

  test('password files are validated: one line each, exit 2, nothing hangs', { timeout: 60_000 }, async () => {
    const folder = path.join(dir, 'a-folder');
    await mkdir(folder, { recursive: true });
    const fifo = path.join(dir, 'a-fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const empty = path.join(dir, 'empty');
    await writeFile(empty, ' \n');
    const twoLines = path.join(dir, 'two-lines');
    await writeFile(twoLines, 'one\ntwo\n');
    const big = path.join(dir, 'big');
    await writeFile(big, 'x'.repeat(5000));
    const env = { REDIS_URL: `redis://127.0.0.1:${PASSWORD_PORT}` };
    for (const [args, extraEnv, pattern] of [
      [['--redis-password-file', path.join(dir, 'missing')], {}, /--redis-password-file: cannot read .*missing: ENOENT/],
      [['--redis-password-file', folder], {}, /--redis-password-file: .*a-folder is not a regular file/],
      [['--redis-password-file', fifo], {}, /--redis-password-file: .*a-fifo is not a regular file/],
      [[], { REDIS_PASSWORD_FILE: empty }, /REDIS_PASSWORD_FILE: .*empty is empty/],
      [['--redis-password-file', twoLines], {}, /more than one line/],
      [['--redis-password-file', big], {}, /has 5000 bytes; a password file holds the password only/],
      [
        [],
        { REDIS_URL: `redis://:x@127.0.0.1:${PASSWORD_PORT}`, REDIS_PASSWORD_FILE: passwordFile },
        /REDIS_URL has a password and REDIS_PASSWORD_FILE names a password file: give the password once/,
      ],
    ] as const) {
      const r = await runCli(['status', 'x', ...args], { ...env, ...extraEnv });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    }
  });
});

describe('Redis db index', () => {
  test("beyond the server's databases (CONFIG readable): refused with the count", async () => {
    const r = await runCli(['status', 'x'], { REDIS_URL: `${REDIS_URL.replace(/\/\d*$/, '')}/99` });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /selects db 99, but this Redis has \d+ databases \(0-\d+\); use \/0 to/);
  });

  test("beyond the server's databases (CONFIG refused): SELECT's error", async () => {
    const r = await runCli(['status', 'x'], { REDIS_URL: `redis://127.0.0.1:${NO_CONFIG_PORT}/99` });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /redis:\/\/127\.0\.0\.1:6431\/99 selects db 99, which the server refuses: ERR DB index is out of range/);
  });

  test('a db index in range is used', async () => {
    const r = await runCli(['status', 'x'], { REDIS_URL: `redis://127.0.0.1:${NO_CONFIG_PORT}/15` });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no sweep "x"/);
  });
});
