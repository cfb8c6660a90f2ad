/**
 * Workers on separate hosts, with no shared filesystem: Linux network namespaces stand in for
 * hosts. The built CLI runs as a user would run it on each host.
 *
 *                        ┌──────────── lswt-<id>-redis ────────────┐
 *                        │ redis-server bound to 127.77.{1,2,3}.1  │
 *                        │ veth "w1"       veth "w2"       veth "p"│
 *                        └────┬───────────────┬───────────────┬────┘
 *              127.77.1.0/30  │ 127.77.2.0/30 │ 127.77.3.0/30 │
 *                    ┌────────┴──┐      ┌─────┴─────┐   ┌─────┴───────┐
 *                    │ -w1 eth0  │      │ -w2 eth0  │   │ -prod eth0  │
 *                    │ worker 1  │      │ worker 2  │   │ enqueue,    │
 *                    │ own cache │      │ own cache │   │ status, ... │
 *                    └───────────┘      └───────────┘   └─────────────┘
 *
 * Each worker host has one point-to-point link, to the Redis host, and no route anywhere else,
 * so it cannot reach the other worker host (the Redis host does not forward: no routes point
 * through it). The producer enqueues from its own host and the dataset files are deleted before
 * the workers start, so the workers can only get the data from Redis.
 *
 * Addresses are loopback-range only (127.0.0.0/8). Linux treats 127/8 on a non-loopback
 * interface as martian unless `route_localnet` is on, so the minimal setup is, per namespace:
 *   - net.ipv4.conf.all.route_localnet=1 (in the namespace only; `all` is ORed with each
 *     interface's own setting, and it is needed at both ends: on output a 127/8 source is
 *     refused with EINVAL on a non-loopback device, on input a 127/8 source or destination is
 *     dropped as martian, and ARP ignores requests for 127/8 targets);
 *   - the addresses and `link set up` (the connected /30 route only appears once the link is
 *     up). No `ip route` entries and no accept_local are needed: the /30 is directly connected.
 * Bringing `lo` up adds `local 127.0.0.0/8 dev lo`. Peers on the /30 still work (local and main
 * tables are merged while there are no policy rules, so the longer /30 prefix wins), but every
 * other 127/8 address would silently be "this host". So `lo` keeps only 127.0.0.1/32: an address
 * beyond the host's own link is then plainly unreachable (ENETUNREACH), which the sanity check
 * relies on.
 *
 * Needs root and `ip netns`; skipped (with the reason) where namespaces cannot be made.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { CLI, REPO_ROOT, exited, waitFor } from '../helpers.js';

const runId = randomBytes(3).toString('hex');
const NS = {
  redis: `lswt-${runId}-redis`,
  w1: `lswt-${runId}-w1`,
  w2: `lswt-${runId}-w2`,
  producer: `lswt-${runId}-prod`,
} as const;
type Host = keyof typeof NS;

/** Each non-Redis host's /30 to the Redis host: Redis side .1, host side .2. */
const LINKS = [
  { host: 'w1', dev: 'w1', net: '127.77.1' },
  { host: 'w2', dev: 'w2', net: '127.77.2' },
  { host: 'producer', dev: 'p', net: '127.77.3' },
] as const satisfies ReadonlyArray<{ host: Exclude<Host, 'redis'>; dev: string; net: string }>;
const redisAddr = (host: Exclude<Host, 'redis'>) => `${LINKS.find((l) => l.host === host)!.net}.1`;
const hostAddr = (host: Exclude<Host, 'redis'>) => `${LINKS.find((l) => l.host === host)!.net}.2`;

const PREFIX = 'lswt';
const port = randomInt(20_000, 60_000);
const redisUrl = (host: Exclude<Host, 'redis'>) => `redis://${redisAddr(host)}:${port}`;

const created: string[] = []; // namespaces, in creation order
const children: ChildProcess[] = [];
let skipReason: string | undefined;
let tmp: string;
let redisServer: (ChildProcess & { output: () => string }) | undefined;

/** Runs `ip ...` synchronously; throws with ip's own message on failure. */
function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** The environment of a process on another "host": none of this shell's lstm-sweep settings. */
function hostEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  for (const k of ['REDIS_URL', 'LSW_PREFIX', 'LSW_CACHE_DIR']) delete env[k];
  return env;
}

/** Starts a command in a namespace; `ip netns exec` execs it, so child.pid is the command's pid. */
function spawnIn(ns: string, argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

async function runIn(ns: string, argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawnIn(ns, argv, opts);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  return { code, stdout, stderr };
}

/** The lstm-sweep CLI, run on the producer host. */
function producerCli(args: string[], cwd?: string) {
  return runIn(NS.producer, [process.execPath, CLI, ...args, '--redis', redisUrl('producer'), '--prefix', PREFIX], {
    cwd: cwd ?? path.join(tmp, 'producer'),
    env: hostEnv(path.join(tmp, 'producer')),
  });
}

/** Tries a TCP connection from a namespace: 'connected' or the error code (ENETUNREACH, ...). */
async function probe(ns: string, host: string, toPort: number): Promise<string> {
  const script = `const s = require('net').connect({ host: process.argv[1], port: +process.argv[2] });
    s.setTimeout(2000, () => { console.log('timeout'); s.destroy(); });
    s.on('connect', () => { console.log('connected'); s.destroy(); });
    s.on('error', (e) => console.log(e.code));`;
  const r = await runIn(ns, [process.execPath, '-e', script, host, String(toPort)]);
  return r.stdout.trim() || `exit ${r.code}: ${r.stderr.trim()}`;
}

function whyCannotRun(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces (ip netns add)';
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (list.error || list.status !== 0) return `\`ip netns\` is unavailable: ${list.error?.message ?? list.stderr.trim()}`;
  const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (redis.error || redis.status !== 0) return 'redis-server is not installed';
  if (!existsSync(CLI)) return `${CLI} is missing: run npm run build first`;
  return undefined;
}

/** Namespaces, links, addresses; throws on the first failure (then the suite is skipped). */
function buildTopology(): void {
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    created.push(ns);
    // 127/8 on a veth is martian unless route_localnet is on (see the header); namespace-local.
    ip('netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.conf.all.route_localnet=1');
    // lo up, but owning only 127.0.0.1, not all of 127/8 (see the header).
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', '127.0.0.1/32', 'dev', 'lo');
    ip('-n', ns, 'addr', 'del', '127.0.0.1/8', 'dev', 'lo');
  }
  for (const link of LINKS) {
    // Made inside the namespaces, so no interface ever appears in the root namespace.
    ip('-n', NS.redis, 'link', 'add', link.dev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS[link.host]);
    ip('-n', NS.redis, 'addr', 'add', `${link.net}.1/30`, 'dev', link.dev);
    ip('-n', NS[link.host], 'addr', 'add', `${link.net}.2/30`, 'dev', 'eth0');
    ip('-n', NS.redis, 'link', 'set', link.dev, 'up');
    ip('-n', NS[link.host], 'link', 'set', 'eth0', 'up');
  }
}

before(async () => {
  skipReason = whyCannotRun();
  if (skipReason) return;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'lsw-netns-'));
  for (const dir of ['redis', 'producer', 'w1', 'w2']) await mkdir(path.join(tmp, dir));
  try {
    buildTopology();
  } catch (err) {
    skipReason = `cannot build the network namespaces here: ${(err as Error).message}`;
    return;
  }
  redisServer = spawnIn(NS.redis, [
    'redis-server',
    '--bind',
    ...LINKS.map((l) => `${l.net}.1`),
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'no',
    '--dir',
    path.join(tmp, 'redis'),
  ]);
  await waitFor(
    async () => {
      if (redisServer!.exitCode !== null) throw new Error(`redis-server exited:\n${redisServer!.output()}`);
      return (await probe(NS.producer, redisAddr('producer'), port)) === 'connected' ? true : undefined;
    },
    15_000,
    'redis-server in its namespace to answer the producer host',
  );
});

after(async () => {
  // Everything we started, then anything else still inside our namespaces (trainer children).
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const ns of created) {
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? exited(c) : undefined)));
  // Deleting a namespace also deletes the veth ends inside it.
  for (const ns of created.reverse()) spawnSync('ip', ['netns', 'del', ns]);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('workers on separate hosts (network namespaces, no shared filesystem)', () => {
  let sweepId: string;
  let trials: number;

  test('topology: each host reaches Redis over its own link only', async (t) => {
    if (skipReason) return t.skip(skipReason);
    for (const host of ['w1', 'w2', 'producer'] as const) {
      assert.equal(await probe(NS[host], redisAddr(host), port), 'connected', `${host} -> redis`);
    }
    // No path between the worker hosts, not even through the Redis host's other link.
    assert.equal(await probe(NS.w1, hostAddr('w2'), port), 'ENETUNREACH', 'w1 -> w2');
    assert.equal(await probe(NS.w2, hostAddr('w1'), port), 'ENETUNREACH', 'w2 -> w1');
    assert.equal(await probe(NS.w1, redisAddr('w2'), port), 'ENETUNREACH', "w1 -> redis via w2's link");
  });

  test('the producer host enqueues, then its dataset files are deleted', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const dataDir = path.join(tmp, 'producer', 'data');
    const files = await writeSyntheticUcr(dataDir, { trainSize: 60, testSize: 20, timesteps: 12, seed: 11 });
    const spec = path.join(dataDir, 'spec.yaml');
    await writeFile(
      spec,
      [
        'name: netns-test',
        'dataset: { train: train.csv, test: test.csv, format: ucr, validationSplit: 0.25 }',
        'method: grid',
        'parameters:',
        '  depth: [1, 2, 3]',
        '  width: [4, 8]',
        '  learningRate: [0.02]',
        '  batchSize: [16]',
        '  epochs: [4]',
        '  patience: [0]',
        'metric: { name: valAuc, goal: maximize }',
        'baseline: none',
        'seeds: [3]',
      ].join('\n'),
    );
    const r = await producerCli(['enqueue', spec, '--json'], dataDir);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { sweepId: string; trials: number; enqueued: number };
    assert.equal(summary.trials, 6);
    assert.equal(summary.enqueued, 6);
    ({ sweepId, trials } = summary);

    await rm(dataDir, { recursive: true });
    assert.ok(!existsSync(files.train) && !existsSync(files.test), 'dataset files deleted');
  });

  test('one worker per host trains the sweep, getting the data from Redis alone', async (t) => {
    if (skipReason) return t.skip(skipReason);
    assert.ok(sweepId, 'enqueue succeeded');
    const started = Date.now();
    const workers = (['w1', 'w2'] as const).map((host) => {
      const home = path.join(tmp, host);
      const worker = spawnIn(
        NS[host],
        [process.execPath, CLI, 'worker', '--redis', redisUrl(host), '--prefix', PREFIX, '--cache-dir', path.join(home, 'cache')],
        { cwd: home, env: hostEnv(home) },
      );
      return { host, home, worker };
    });
    const logs = () => workers.map((w) => `--- ${w.host}\n${w.worker.output()}`).join('\n');

    const counts = await waitFor(
      async () => {
        for (const w of workers) {
          if (w.worker.exitCode !== null) throw new Error(`worker on ${w.host} exited early:\n${logs()}`);
        }
        const r = await producerCli(['status', sweepId, '--json']);
        assert.equal(r.code, 0, r.stderr);
        const c = JSON.parse(r.stdout) as Record<string, number>;
        return c.completed! + c.failed! === trials ? c : undefined;
      },
      150_000,
      `all ${trials} trials to finish`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${logs()}`);
    });
    t.diagnostic(`sweep of ${trials} trials on 2 worker hosts took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(counts.total, trials);
    assert.equal(counts.completed, trials, logs());
    assert.equal(counts.failed, 0, logs());

    // Which host each process lives on, while the workers (and their trainer children) still run.
    const pidHost = new Map<number, string>();
    for (const w of workers) {
      for (const pid of ip('netns', 'pids', NS[w.host]).split(/\s+/).filter(Boolean)) pidHost.set(Number(pid), w.host);
    }

    for (const w of workers) w.worker.kill('SIGTERM');
    assert.deepEqual(await Promise.all(workers.map((w) => exited(w.worker))), [0, 0], logs());

    // Each worker logged at least one completed trial (its own stdout, its own host).
    for (const w of workers) {
      const ends = w.worker
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { event: string; status?: string })
        .filter((e) => e.event === 'trial.end' && e.status === 'completed');
      assert.ok(ends.length >= 1, `worker on ${w.host} trained no trial:\n${logs()}`);
    }

    // The leaderboard names the process that trained each trial, hostname:pid. The hostname is
    // the same on every namespace, so tell the hosts apart by pid (and each pid's namespace).
    const lb = await producerCli(['leaderboard', sweepId, '--json']);
    assert.equal(lb.code, 0, lb.stderr);
    const rows = JSON.parse(lb.stdout) as Array<{ trialId: string; worker: string }>;
    assert.equal(rows.length, trials);
    const pids = rows.map((r) => Number(/:(\d+)$/.exec(r.worker)?.[1]));
    assert.ok(new Set(pids).size >= 2, `trials trained by ${[...new Set(rows.map((r) => r.worker))].join(', ')}`);
    const hosts = new Set(pids.map((pid) => pidHost.get(pid) ?? `unknown pid ${pid}`));
    assert.deepEqual([...hosts].sort(), ['w1', 'w2']);

    // Each worker host verified and cached the dataset under its own cache dir.
    const hashes = new Set<string>();
    for (const w of workers) {
      const dir = path.join(w.home, 'cache', 'datasets');
      const cached = (await readdir(dir)).filter((f) => f.endsWith('.bin'));
      assert.equal(cached.length, 1, `${w.host} cache: ${cached.join(', ')}`);
      const hash = cached[0]!.slice(0, -'.bin'.length);
      assert.match(hash, /^[0-9a-f]{64}$/);
      const sha = createHash('sha256')
        .update(await readFile(path.join(dir, cached[0]!)))
        .digest('hex');
      assert.equal(sha, hash, `${w.host}: cache file content matches its sha256 name`);
      hashes.add(hash);
    }
    assert.equal(hashes.size, 1, 'both hosts cached the same dataset');
    // ... the one the producer stored in Redis.
    const script = `import { Redis } from 'ioredis';
      const redis = new Redis(process.argv[1]);
      console.log(JSON.stringify(await redis.keys(process.argv[2])));
      redis.disconnect();`;
    const keys = await runIn(NS.producer, [
      process.execPath,
      '--input-type=module',
      '-e',
      script,
      redisUrl('producer'),
      `${PREFIX}:dataset:*`,
    ]);
    assert.equal(keys.code, 0, keys.stderr);
    assert.deepEqual(
      JSON.parse(keys.stdout),
      [...hashes].map((h) => `${PREFIX}:dataset:${h}`),
    );
  });
});
