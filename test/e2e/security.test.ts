/**
 * Security-relevant behaviour against real redis-server instances this suite starts itself
 * (random free ports on 127.0.0.1, killed in `after`), with the built CLI and real worker
 * processes. Every sweep is a `dryRun` sweep, so each scenario takes seconds:
 *
 * 1. password (`requirepass`) and ACL users in the URL work end to end and are never printed;
 * 2. TLS (`rediss://`), with the server's certificate verified against a CA given through
 *    NODE_EXTRA_CA_CERTS, alone and together with a password;
 * 3. a `{hash-tag}` prefix puts every key (lstm-sweep's and BullMQ's) in one Redis Cluster slot;
 * 4. a worker evaluates nothing of a job payload beyond the validated trial job: malformed jobs
 *    fail at once, without retry, and write nothing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { trialIdOf } from '../../src/definition/trials.js';
import { TRIAL_QUEUE, type TrialJob } from '../../src/queue/trial-job.js';
import { BASELINE_JOB, baselineJobId, type BaselineJob } from '../../src/queue/baseline-job.js';
import { exited, runCli, spawnCli, waitFor, type CliResult } from '../helpers.js';
import { freePort } from '../../src/demo/local-redis.js';

const TRIALS = 2;
/** Connection settings that must never be used: proves the flag or variable under test is. */
const UNREACHABLE = 'redis://127.0.0.1:1';

let dir: string;
let specFile: string;
const servers: ChildProcess[] = [];
const workers: ChildProcess[] = [];
const clients: Redis[] = [];

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-security-'));
  await writeSyntheticUcr(dir, { trainSize: 24, testSize: 12, timesteps: 8, seed: 3 });
  specFile = path.join(dir, 'sweep.yaml');
  await writeFile(
    specFile,
    [
      'name: security-test',
      'dataset: { train: train.csv, test: test.csv, format: ucr, validationSplit: 0.25 }',
      'method: grid',
      'parameters: { depth: [1, 2], width: [2] }',
      'dryRun: true',
    ].join('\n'),
  );
});

after(async () => {
  for (const c of clients) c.disconnect();
  // Workers first (they finish or abandon their trials), then the servers they talk to.
  await Promise.all(workers.map((w) => stop(w, 10_000)));
  await Promise.all(servers.map((s) => stop(s, 5_000)));
  await rm(dir, { recursive: true, force: true });
});

async function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// redis-server instances

interface RedisServer {
  port: number;
  log: () => string;
}

class RedisStartError extends Error {
  constructor(
    message: string,
    /** redis-server ran and exited (e.g. rejected its arguments), rather than not answering in time. */
    readonly exited = false,
  ) {
    super(message);
  }
}

/**
 * Starts `redis-server` with no persistence on 127.0.0.1; resolves once it accepts connections.
 * `tls`: serve TLS only, on the returned port (plain TCP is switched off with --port 0).
 */
async function startRedis(opts: { extra?: string[]; tls?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const work = await mkdtemp(path.join(dir, 'redis-'));
  const listen = opts.tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', work, ...(opts.extra ?? [])];
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(proc);
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisStartError(`redis-server did not start in 20 s:\n${log}`)), 20_000);
    const onData = () => {
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(new RedisStartError(`cannot run redis-server: ${err.message}`));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new RedisStartError(`redis-server exited with ${code}:\n${log}`, true));
    });
  });
  return { port, log: () => log };
}

function client(port: number, password?: string): Redis {
  const redis = new Redis({ host: '127.0.0.1', port, password, maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redis;
}

async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

// ---------------------------------------------------------------------------------------------
// A whole dryRun sweep through the CLI

interface SweepRun {
  sweepId: string;
  /** stdout and stderr of every process involved: enqueue, worker (and its trainers), status, leaderboard */
  transcript: string;
}

/**
 * enqueue, one worker until every trial is done, status --json, leaderboard --json.
 * `args` are the connection flags; `env` the environment of every process.
 */
async function runSweep(args: string[], env: NodeJS.ProcessEnv): Promise<SweepRun> {
  const outputs: CliResult[] = [];
  const cli = async (argv: string[]) => {
    const r = await runCli([...argv, ...args], env);
    outputs.push(r);
    return r;
  };
  const transcript = (extra = '') => outputs.map((r) => `${r.stdout}${r.stderr}`).join('\n') + '\n' + extra;

  const enq = await cli(['enqueue', specFile, '--json']);
  assert.equal(enq.code, 0, `enqueue: ${enq.stderr}`);
  const summary = JSON.parse(enq.stdout) as { sweepId: string; trials: number; enqueued: number };
  assert.equal(summary.trials, TRIALS);
  const { sweepId } = summary;

  const worker = spawnCli(['worker', ...args], env);
  workers.push(worker);
  try {
    const counts = await waitFor(
      async () => {
        if (worker.exitCode !== null) throw new Error(`worker exited with ${worker.exitCode}: ${worker.output()}`);
        const r = await runCli(['status', sweepId, '--json', ...args], env);
        outputs.push(r);
        assert.equal(r.code, 0, `status: ${r.stderr}`);
        const c = JSON.parse(r.stdout) as Record<string, number>;
        return c.completed! + c.failed! === TRIALS ? c : undefined;
      },
      60_000,
      `the ${TRIALS} trials of ${sweepId} to finish`,
    );
    // Only these counts: the status output may grow more of them.
    const { total, waiting, active, completed, failed } = counts;
    assert.deepEqual({ total, waiting, active, completed, failed }, { total: TRIALS, waiting: 0, active: 0, completed: TRIALS, failed: 0 });
  } finally {
    worker.kill('SIGTERM');
  }
  assert.equal(await exited(worker), 0, worker.output());

  const lb = await cli(['leaderboard', sweepId, '--json']);
  assert.equal(lb.code, 0, `leaderboard: ${lb.stderr}`);
  const rows = JSON.parse(lb.stdout) as Array<{ rank: number; backend: string; metrics: Record<string, number> }>;
  assert.deepEqual(
    rows.map((r) => r.rank),
    [1, 2],
  );
  for (const row of rows) {
    assert.equal(row.backend, 'dry-run');
    assert.ok(Number.isFinite(row.metrics.valAuc));
  }
  return { sweepId, transcript: transcript(worker.output()) };
}

/** One line on stderr, exit code 2. */
function assertOneLineUserError(r: CliResult, pattern: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit code (stderr: ${r.stderr})`);
  // A password given in --redis also draws a warning that ps shows it (redis-login.test.ts).
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('lstm-sweep: warning: a password in --redis'));
  assert.equal(lines.length, 1, `${what}: one line: ${r.stderr}`);
  assert.match(lines[0]!, pattern, what);
}

function assertNeverPrinted(transcript: string, secret: string): void {
  assert.ok(transcript.length > 0);
  for (const form of new Set([secret, encodeURIComponent(secret)])) {
    assert.ok(!transcript.includes(form), `the password appears in the output:\n${transcript}`);
  }
}

function cacheEnv(): NodeJS.ProcessEnv {
  return { LSW_CACHE_DIR: path.join(dir, `cache-${hex(4)}`) };
}

// ---------------------------------------------------------------------------------------------
// 1. Password and ACL user

describe('password-protected Redis (requirepass)', () => {
  const password = `lswpw-${hex(12)}`;
  let port: number;
  let admin: Redis;

  before(async () => {
    ({ port } = await startRedis({ extra: ['--requirepass', password] }));
    admin = client(port, password);
  });

  test('--redis redis://:<pw>@host: enqueue, worker, status and leaderboard; the password is never printed', async () => {
    const url = `redis://:${password}@127.0.0.1:${port}`;
    const run = await runSweep(['--redis', url, '--prefix', `lswsec-${hex(4)}`], { ...cacheEnv(), REDIS_URL: UNREACHABLE });
    assertNeverPrinted(run.transcript, password);
  });

  test('the same through REDIS_URL and LSW_PREFIX', async () => {
    const env = { ...cacheEnv(), REDIS_URL: `redis://:${password}@127.0.0.1:${port}`, LSW_PREFIX: `lswsec-${hex(4)}` };
    const run = await runSweep([], env);
    assertNeverPrinted(run.transcript, password);
  });

  test('a wrong or missing password: exit 2, one line that says to check the password, without it', async () => {
    const wrong = `wrongpw-${hex(8)}`;
    const keysBefore = new Set(await allKeys(admin));
    const cases: Array<[string, string[]]> = [
      ['status', ['status', 'x']],
      ['enqueue', ['enqueue', specFile]],
      ['worker', ['worker']],
    ];
    for (const [what, argv] of cases) {
      const r = await runCli([...argv, '--redis', `redis://:${wrong}@127.0.0.1:${port}`], { ...cacheEnv(), REDIS_URL: UNREACHABLE });
      assertOneLineUserError(
        r,
        /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*check the password/,
        `${what} with a wrong password`,
      );
      assertNeverPrinted(r.stdout + r.stderr, wrong);
    }
    const none = await runCli(['status', 'x'], { REDIS_URL: `redis://127.0.0.1:${port}` });
    assertOneLineUserError(none, /NOAUTH.*check the password/, 'status without a password');
    // BullMQ's short-lived keys may expire meanwhile, so: no key that was not there before.
    assert.deepEqual(
      (await allKeys(admin)).filter((k) => !keysBefore.has(k)),
      [],
      'nothing written with a wrong password',
    );
  });

  test('an ACL user, redis://user:pw@host, confined to keys under its prefix', async () => {
    const user = `lswuser${hex(3)}`;
    const userPassword = `lswaclpw-${hex(12)}`;
    const prefix = `lswacl-${hex(4)}`;
    // Only keys under `<prefix>:`: the sweep completing proves lstm-sweep and BullMQ touch nothing else.
    await admin.call('ACL', 'SETUSER', user, 'on', `>${userPassword}`, `~${prefix}:*`, '&*', '+@all');
    const url = `redis://${user}:${userPassword}@127.0.0.1:${port}`;
    const run = await runSweep(['--redis', url, '--prefix', prefix], { ...cacheEnv(), REDIS_URL: UNREACHABLE });
    assertNeverPrinted(run.transcript, userPassword);

    // The ACL really is enforced: the same user cannot write outside its prefix.
    const limited = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(limited);
    await assert.rejects(limited.set(`elsewhere:${hex(2)}`, '1'), /NOPERM/);
    limited.disconnect();

    const wrong = await runCli(['status', run.sweepId, '--redis', `redis://${user}:nope-${hex(4)}@127.0.0.1:${port}`, '--prefix', prefix]);
    assertOneLineUserError(wrong, /WRONGPASS.*check the password/, 'ACL user with a wrong password');
  });
});

// ---------------------------------------------------------------------------------------------
// 2. TLS

interface Pki {
  ca: string;
  cert: string;
  key: string;
}

function sh(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${err}`))));
  });
}

/** A throwaway CA and a server certificate for 127.0.0.1 (SAN IP), signed by it. */
async function makePki(): Promise<Pki> {
  const pki = await mkdtemp(path.join(dir, 'pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await sh(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=lstm-sweep test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    pki,
  );
  await sh('openssl', ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], pki);
  await writeFile(
    path.join(pki, 'server.ext'),
    'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await sh(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    pki,
  );
  return { ca: path.join(pki, 'ca.pem'), cert: path.join(pki, 'server.pem'), key: path.join(pki, 'server.key') };
}

describe('TLS (rediss://)', () => {
  let pki: Pki;
  let port: number;
  let pwPort: number;
  const password = `lswtlspw-${hex(12)}`;
  let skip: string | undefined;

  before(async () => {
    pki = await makePki();
    const tlsArgs = ['--tls-cert-file', pki.cert, '--tls-key-file', pki.key, '--tls-ca-cert-file', pki.ca, '--tls-auth-clients', 'no'];
    try {
      ({ port } = await startRedis({ tls: true, extra: tlsArgs }));
    } catch (err) {
      const message = (err as Error).message;
      // A redis-server built without TLS rejects the tls-* directives.
      if (err instanceof RedisStartError && err.exited && /tls|Bad directive|not supported/i.test(message)) {
        skip = `this redis-server has no TLS support (${
          message
            .split('\n')
            .find((l) => /tls|directive/i.test(l))
            ?.trim() ?? 'exited'
        })`;
        return;
      }
      throw err;
    }
    ({ port: pwPort } = await startRedis({ tls: true, extra: [...tlsArgs, '--requirepass', password] }));
  });

  test('enqueue, worker, status and leaderboard over TLS, the server certificate verified against the CA', async (t) => {
    if (skip) return t.skip(skip);
    await runSweep(['--redis', `rediss://127.0.0.1:${port}`, '--prefix', `lswsec-${hex(4)}`], {
      ...cacheEnv(),
      REDIS_URL: UNREACHABLE,
      NODE_EXTRA_CA_CERTS: pki.ca,
    });
  });

  test('without the CA the certificate is rejected; plain redis:// to the TLS port fails too', async (t) => {
    if (skip) return t.skip(skip);
    const untrusted = await runCli(['status', 'x', '--redis', `rediss://127.0.0.1:${port}`], { NODE_EXTRA_CA_CERTS: '' });
    assert.equal(untrusted.code, 2, untrusted.stderr);
    assert.match(untrusted.stderr, /cannot connect to Redis at rediss:\/\/127\.0\.0\.1:\d+: .*(certificate|self.signed)/i);
    const plain = await runCli(['status', 'x', '--redis', `redis://127.0.0.1:${port}`], { NODE_EXTRA_CA_CERTS: pki.ca });
    assert.equal(plain.code, 2, plain.stderr);
    assert.match(plain.stderr, /cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+/);
  });

  test('TLS and a password together (through REDIS_URL); the password is never printed', async (t) => {
    if (skip) return t.skip(skip);
    const run = await runSweep([], {
      ...cacheEnv(),
      REDIS_URL: `rediss://:${password}@127.0.0.1:${pwPort}`,
      LSW_PREFIX: `lswsec-${hex(4)}`,
      NODE_EXTRA_CA_CERTS: pki.ca,
    });
    assertNeverPrinted(run.transcript, password);
    const wrong = await runCli(['status', 'x', '--redis', `rediss://:bad-${hex(6)}@127.0.0.1:${pwPort}`], { NODE_EXTRA_CA_CERTS: pki.ca });
    assertOneLineUserError(
      wrong,
      /^lstm-sweep: cannot connect to Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*check the password/,
      'TLS, wrong password',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Hash-tag prefix and Redis Cluster slots

/** CRC16/XMODEM (poly 0x1021, init 0, no reflection), the checksum Redis Cluster uses. */
function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * HASH_SLOT = CRC16(key) mod 16384, where only the part between the first "{" and the next "}"
 * is hashed when that part is non-empty (the Redis Cluster specification, "Hash tags").
 */
function keySlot(key: string): number {
  let hashed = key;
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(hashed)) % 16384;
}

describe('hash-tag prefix: every key in one Redis Cluster slot', () => {
  let port: number;
  let redis: Redis;

  before(async () => {
    // A one-node Redis Cluster owning all 16384 slots: plain clients (as lstm-sweep's are) work
    // against it, and it enforces the cluster's same-slot rule (CROSSSLOT) like any cluster node.
    // The cluster bus defaults to port + 10000, past 65535 for a third of the ephemeral range
    // (redis-server then refuses to start), so it gets a free port of its own.
    const busPort = String(await freePort());
    ({ port } = await startRedis({
      extra: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', busPort],
    }));
    redis = client(port);
    await redis.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await waitFor(
      async () => ((await redis.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok') || undefined,
      10_000,
      'cluster_state:ok',
    );
  });

  test('keySlot follows the Redis Cluster specification, and agrees with CLUSTER KEYSLOT', async () => {
    assert.equal(crc16(Buffer.from('123456789')), 0x31c3); // the spec's CRC16 test vector
    assert.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'));
    assert.equal(keySlot('foo{}{bar}'), crc16(Buffer.from('foo{}{bar}')) % 16384); // empty tag: whole key
    assert.equal(keySlot('foo{{bar}}zap'), keySlot('{bar')); // first "{" to the next "}"
    assert.equal(keySlot('foo{bar}{zap}'), keySlot('bar'));
    for (const key of ['plain-key', '{}x', 'a{b}c{d}', '{lsw}:trials:meta', 'lsw:sweeps', 'foo{{bar}}zap']) {
      assert.equal(Number(await redis.call('CLUSTER', 'KEYSLOT', key)), keySlot(key), `slot of ${key}`);
    }
  });

  test('a sweep under --prefix {tag} runs on a cluster node; every key starts with the prefix and shares its slot', async () => {
    const prefix = `{lswsec-${hex(4)}}`;
    await runSweep(['--redis', `redis://127.0.0.1:${port}`, '--prefix', prefix], { ...cacheEnv(), REDIS_URL: UNREACHABLE });
    const keys = await allKeys(redis);
    // Both lstm-sweep's keys and BullMQ's are there...
    for (const part of [':sweeps', ':sweep:', ':dataset:', `:${TRIAL_QUEUE}:meta`, `:${TRIAL_QUEUE}:events`, `:${TRIAL_QUEUE}:completed`]) {
      assert.ok(
        keys.some((k) => k.includes(part)),
        `a key with "${part}" among ${keys.join(', ')}`,
      );
    }
    // ...and all of them (this instance is fresh: SCAN sees exactly what the sweep created) are under
    // the prefix and in the prefix's slot. Why this matters: Redis Cluster refuses multi-key
    // commands, MULTI/EXEC transactions and Lua scripts (every BullMQ operation is a Lua script
    // touching several keys of the queue) whose keys hash to different slots (CROSSSLOT), since
    // one node must own all of them atomically. Only the part of a key inside its first {...} is
    // hashed, so a hash tag in the prefix puts every key of the queue and of every sweep in one
    // slot, whatever follows the tag.
    const slot = keySlot(prefix);
    for (const key of keys) {
      assert.ok(key.startsWith(`${prefix}:`), `key ${key} is under ${prefix}`);
      assert.equal(keySlot(key), slot, `slot of ${key}`);
      assert.equal(Number(await redis.call('CLUSTER', 'KEYSLOT', key)), slot, `Redis's slot of ${key}`);
    }
  });

  test('without a hash tag the same sweep is refused by the cluster (CROSSSLOT)', async () => {
    const r = await runCli(['enqueue', specFile, '--redis', `redis://127.0.0.1:${port}`, '--prefix', `lswsec-${hex(4)}`], {
      ...cacheEnv(),
      REDIS_URL: UNREACHABLE,
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /CROSSSLOT/);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Job payloads are data, validated, never evaluated

describe('a worker evaluates nothing from a job payload beyond the validated trial job', () => {
  let port: number;
  let redis: Redis;

  before(async () => {
    ({ port } = await startRedis());
    redis = client(port);
  });

  /** Runs a worker until every job in `failing` failed and the sweep's TRIALS valid trials have results; then stops it. */
  async function workUntil(
    cli: string[],
    env: NodeJS.ProcessEnv,
    queue: Queue,
    failing: string[],
    resultsKey: string,
    what: string,
    completing: string[] = [],
  ): Promise<void> {
    const worker = spawnCli(cli, env);
    workers.push(worker);
    try {
      await waitFor(
        async () => {
          if (worker.exitCode !== null) throw new Error(`worker exited with ${worker.exitCode}: ${worker.output()}`);
          const states = await Promise.all(failing.map((id) => queue.getJobState(id)));
          const done = await redis.hlen(resultsKey);
          const completed = await Promise.all(completing.map((id) => queue.getJobState(id)));
          return states.every((state) => state === 'failed') && done === TRIALS && completed.every((state) => state === 'completed')
            ? true
            : undefined;
        },
        90_000,
        what,
      );
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await exited(worker), 0, worker.output());
  }

  test('malformed jobs fail at once, without retry, and write nothing', async () => {
    const prefix = `lswsec-${hex(4)}`;
    const marker = path.join(os.tmpdir(), `pwned-${hex(8)}`);
    const args = ['--redis', `redis://127.0.0.1:${port}`, '--prefix', prefix];
    const env = { ...cacheEnv(), REDIS_URL: UNREACHABLE };

    const enq = await runCli(['enqueue', specFile, '--json', ...args], env);
    assert.equal(enq.code, 0, enq.stderr);
    const { sweepId } = JSON.parse(enq.stdout) as { sweepId: string };

    const queue = new Queue(TRIAL_QUEUE, { connection: redis, prefix });
    try {
      const [valid] = await queue.getJobs(['waiting']);
      assert.ok(valid, 'a queued trial job to copy');
      const evilSweep = `evil-${hex(4)}`;
      // Valid in every field except what each case breaks, under a sweep and trial of its own.
      const base: Record<string, unknown> = { ...(valid.data as object), sweepId: evilSweep, trialId: '0123456789abcdef' };
      const config = base.config as Record<string, unknown>;
      const code = `require('child_process').execSync('touch ${marker}')`;
      const bad: Record<string, unknown> = {
        'extra-key': { ...base, exec: code, toString: code },
        'config-extra-key': { ...base, config: { ...config, exec: code } },
        'wrong-type': { ...base, config: { ...config, depth: '2' } },
        // An own "__proto__" key, as a JSON payload written by anyone else would carry it.
        'proto-key': JSON.parse(JSON.stringify(base).replace(/^\{/, `{"__proto__":{"exec":${JSON.stringify(code)}},`)),
        'not-an-object': code,
      };
      const jobIds = Object.keys(bad).map((name) => `bad-${name}`);
      // Three attempts allowed: a failure that is retried would show attemptsMade > 1.
      for (const [name, data] of Object.entries(bad)) {
        await queue.add('trial', data as never, { jobId: `bad-${name}`, attempts: 3, backoff: { type: 'fixed', delay: 0 } });
      }

      await workUntil(
        ['worker', ...args],
        env,
        queue,
        jobIds,
        `${prefix}:sweep:${sweepId}:results`,
        'the malformed jobs to fail and the valid trials to complete',
      );

      for (const id of jobIds) {
        const job = await queue.getJob(id);
        assert.ok(job, id);
        assert.equal(await job.getState(), 'failed', id);
        assert.equal(job.attemptsMade, 1, `${id} was not retried`);
        assert.match(job.failedReason, /invalid trial job payload/, id);
      }
      assert.ok(!existsSync(marker), `${marker} was created: payload code ran`);

      // No result, failure record or active marker for the malformed jobs; the valid ones completed.
      const keys = await allKeys(redis);
      assert.deepEqual(
        keys.filter((k) => k.includes(evilSweep) || k.includes('0123456789abcdef')),
        [],
      );
      assert.equal(await redis.hlen(`${prefix}:sweep:${sweepId}:results`), TRIALS);
      const lb = await runCli(['leaderboard', sweepId, '--json', ...args], env);
      assert.equal((JSON.parse(lb.stdout) as unknown[]).length, TRIALS);
    } finally {
      await queue.close();
    }
  });

  test('jobs that name a sweep or trial enqueue did not make train nothing and write nowhere, inside or outside --artifacts', async () => {
    const prefix = `lswsec-${hex(4)}`;
    const args = ['--redis', `redis://127.0.0.1:${port}`, '--prefix', prefix];
    const env = { ...cacheEnv(), REDIS_URL: UNREACHABLE };
    const root = await mkdtemp(path.join(os.tmpdir(), 'lsw-artifacts-'));
    const artifacts = path.join(root, 'a', 'b', 'artifacts');
    // Real training (2 epochs), so the valid trials write their models under --artifacts.
    const trainedSpec = path.join(dir, 'trained.yaml');
    await writeFile(
      trainedSpec,
      [
        'name: security-trained',
        `dataset: { train: ${path.join(dir, 'train.csv')}, format: ucr, protocol: holdout, validationSplit: 0.25 }`,
        'parameters: { depth: [1, 2], width: [2], epochs: [2] }',
      ].join('\n'),
    );
    const enq = await runCli(['enqueue', trainedSpec, '--json', ...args], env);
    assert.equal(enq.code, 0, enq.stderr);
    const { sweepId } = JSON.parse(enq.stdout) as { sweepId: string };

    const queue = new Queue(TRIAL_QUEUE, { connection: redis, prefix });
    try {
      const waiting = await queue.getJobs(['waiting']);
      const valid = waiting.find((j) => j.name === 'trial');
      assert.ok(valid, 'a queued trial job to copy');
      const data = valid.data as TrialJob;
      // The sweep's baseline job (MiniRocket) is checked the same way: crafted copies of it write nothing.
      const baselineJob = waiting.find((j) => j.name === BASELINE_JOB);
      assert.ok(baselineJob, 'the queued baseline job');
      const baselineData = baselineJob.data as BaselineJob;
      const other = { ...data.config, depth: data.config.depth + 5 };
      const crafted: Record<string, [unknown, RegExp]> = {
        traversal: [{ ...data, sweepId: '../../escape' }, /invalid trial job payload: sweepId/],
        'traversal-trial': [{ ...data, trialId: '../../../../tmp/x' }, /invalid trial job payload: trialId/],
        markup: [{ ...data, sweepId: '<img src=x onerror=alert(1)>-0123456789' }, /invalid trial job payload: sweepId/],
        'unknown-sweep': [{ ...data, sweepId: 'ghost-0123456789' }, /there is no sweep "ghost-0123456789"/],
        'config-changed': [{ ...data, config: other }, /its config is not the config of trial/],
        'trial-not-in-sweep': [{ ...data, config: other, trialId: trialIdOf(other) }, /has no trial/],
        'settings-changed': [
          { ...data, datasetHash: '0'.repeat(64), dryRun: true },
          /differs from its stored sweep in datasetHash, dryRun/,
        ],
      };
      const craftedBaselines: Record<string, [unknown, RegExp]> = {
        'baseline-traversal': [{ ...baselineData, sweepId: '../../escape' }, /invalid baseline job payload: sweepId/],
        'baseline-unknown-sweep': [{ ...baselineData, sweepId: 'ghost-0123456789' }, /there is no sweep "ghost-0123456789"/],
        'baseline-settings-changed': [
          { ...baselineData, datasetHash: '0'.repeat(64), seed: 99 },
          /differs from its stored sweep in datasetHash, seed/,
        ],
        'baseline-extra-field': [{ ...baselineData, dryRun: true }, /invalid baseline job payload/],
      };
      for (const [name, [job]] of Object.entries(crafted)) {
        await queue.add('trial', job as never, { jobId: `crafted-${name}`, attempts: 3, backoff: { type: 'fixed', delay: 0 } });
      }
      for (const [name, [job]] of Object.entries(craftedBaselines)) {
        await queue.add(BASELINE_JOB, job as never, { jobId: `crafted-${name}`, attempts: 3, backoff: { type: 'fixed', delay: 0 } });
      }
      Object.assign(crafted, craftedBaselines);
      const craftedIds = Object.keys(crafted).map((name) => `crafted-${name}`);
      await workUntil(
        ['worker', '--artifacts', artifacts, ...args],
        env,
        queue,
        craftedIds,
        `${prefix}:sweep:${sweepId}:results`,
        'the crafted jobs to fail and the valid trials and baseline to complete',
        [baselineJobId(sweepId)],
      );

      for (const [name, [, reason]] of Object.entries(crafted)) {
        const job = await queue.getJob(`crafted-${name}`);
        assert.ok(job, name);
        assert.equal(job.attemptsMade, 1, `${name} was not retried`);
        assert.match(job.failedReason, reason, name);
      }
      // Files: the two valid models under <artifacts>/<sweepId>/, nothing else anywhere under root.
      const files = (await readdir(root, { recursive: true })).map(String).sort();
      const trials = Object.keys(await redis.hgetall(`${prefix}:sweep:${sweepId}:results`)).sort();
      const expected = ['a', path.join('a', 'b'), path.join('a', 'b', 'artifacts'), path.join('a', 'b', 'artifacts', sweepId)];
      expected.push(
        path.join('a', 'b', 'artifacts', sweepId, 'baseline'),
        path.join('a', 'b', 'artifacts', sweepId, 'baseline', 'minirocket.json'),
      );
      for (const t of trials) {
        const d = path.join('a', 'b', 'artifacts', sweepId, t);
        expected.push(d, path.join(d, 'model.json'), path.join(d, 'weights.bin'));
      }
      assert.deepEqual(files, expected.sort());
      // Keys: nothing under a crafted name; the trial that is not in the sweep has no record of any kind.
      const keys = await allKeys(redis);
      assert.deepEqual(
        keys.filter((k) => /escape|ghost|<img|tmp\/x/.test(k)),
        [],
      );
      for (const hash of ['results', 'failures', 'active', 'live', 'deliveries']) {
        assert.equal(await redis.hexists(`${prefix}:sweep:${sweepId}:${hash}`, trialIdOf(other)), 0, hash);
      }
      assert.equal(await redis.hlen(`${prefix}:sweep:${sweepId}:failures`), 0, 'the crafted jobs leave no failure record in the sweep');
      const baselineRecord = await redis.hgetall(`${prefix}:sweep:${sweepId}:baseline`);
      assert.deepEqual(Object.keys(baselineRecord).sort(), ['deliveries', 'result'], 'crafted baseline jobs leave no mark on the real one');
      assert.equal(baselineRecord.deliveries, '1');

      // predict reads only the weights file in the model's own folder, and says so when model.json names another.
      const exported = path.join(root, 'exported');
      const best = await runCli(['best', sweepId, '--export', exported, ...args], env);
      assert.equal(best.code, 0, best.stderr);
      const series = path.join(dir, 'test.csv');
      assert.equal((await runCli(['predict', '--model', exported, '--data', series, '--json'])).code, 0);
      const modelJson = JSON.parse(await readFile(path.join(exported, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
      for (const bad of ['../../../../etc/passwd', '/etc/passwd', '..', 'sub/weights.bin']) {
        modelJson.weightsManifest[0]!.paths = [bad];
        await writeFile(path.join(exported, 'model.json'), JSON.stringify(modelJson));
        const r = await runCli(['predict', '--model', exported, '--data', series, '--json']);
        assert.equal(r.code, 2, `${bad}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /cannot load a model from .*weights file is a plain file name in the model folder/, bad);
        assert.equal(r.stdout, '', `${bad}: nothing predicted`);
      }
      // Weights that do not fit model.json: a clear one-line error, exit 2.
      modelJson.weightsManifest[0]!.paths = ['weights.bin'];
      await writeFile(path.join(exported, 'model.json'), JSON.stringify(modelJson));
      await writeFile(path.join(exported, 'weights.bin'), Buffer.alloc(12));
      const truncated = await runCli(['predict', '--model', exported, '--data', series, '--json']);
      assert.equal(truncated.code, 2, truncated.stderr);
      assert.match(truncated.stderr, /^lstm-sweep: cannot load the model in .*its weights do not fit its model\.json\)\n$/);
    } finally {
      await queue.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
