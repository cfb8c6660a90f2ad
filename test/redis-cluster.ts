/**
 * A real Redis Cluster for tests: `redis-server` processes on loopback ports, each in its own
 * temporary folder, joined by `redis-cli --cluster create` (three masters with one replica each by
 * default), stopped by `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { waitFor } from './helpers.js';

export interface ClusterNodeProcess {
  port: number;
  proc: ChildProcess;
  log: () => string;
}

export interface TestCluster {
  nodes: ClusterNodeProcess[];
  /** redis+cluster://127.0.0.1:p1,127.0.0.1:p2,... */
  url: string;
  /** A plain connection to one node (closed by stop()). */
  node(port: number): Redis;
  /** The port of the master serving `key`'s slot, and of its replicas. */
  ownerOf(key: string): Promise<{ master: number; replicas: number[] }>;
  /**
   * Waits until every live node reports cluster_state:ok, all of them agree on the slot map, and
   * each master has at least `replicas` replicas online (default 0).
   */
  waitHealthy(timeoutMs: number, replicas?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  /** First port; the nodes use basePort..basePort+masters*(replicas+1)-1 and their bus ports (+10000). */
  basePort: number;
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a master may be unreachable before its replica takes over. */
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node. */
  extra?: string[];
  /** false: start the nodes but leave joining them to the caller (default true: redis-cli --cluster create). */
  create?: boolean;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function startNode(port: number, dir: string, opts: TestClusterOptions): Promise<ClusterNodeProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(opts.nodeTimeoutMs ?? 2000),
    '--save',
    '',
    '--appendonly',
    'no',
    ...(opts.extra ?? []),
  ];
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start in 20 s:\n${log}`)), 20_000);
    proc.stdout.on('data', () => {
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        resolve({ port, proc, log: () => log });
      }
    });
    proc.once('error', (err) => reject(new Error(`cannot run redis-server: ${err.message}`)));
    proc.once('exit', (code) => reject(new Error(`redis-server on ${port} exited with ${code}:\n${log}`)));
  });
}

export async function startTestCluster(opts: TestClusterOptions): Promise<TestCluster> {
  if (spawnSync('redis-server', ['--version']).error || spawnSync('redis-cli', ['--version']).error) {
    throw new Error('redis-server and redis-cli are needed for the Redis Cluster tests (Debian/Ubuntu: apt-get install redis-server)');
  }
  const count = (opts.masters ?? 3) * ((opts.replicasPerMaster ?? 1) + 1);
  const ports = Array.from({ length: count }, (_, i) => opts.basePort + i);
  for (const port of ports) {
    if (!(await portFree(port)) || !(await portFree(port + 10_000))) {
      throw new Error(`port ${port} or its cluster bus port ${port + 10_000} is taken: set LSW_TEST_CLUSTER_PORT to a free range`);
    }
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'lsw-cluster-'));
  const nodes: ClusterNodeProcess[] = [];
  const clients: Redis[] = [];
  const stop = async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            if (n.proc.exitCode !== null || n.proc.signalCode !== null) return resolve();
            n.proc.once('exit', () => resolve());
            n.proc.kill('SIGKILL');
          }),
      ),
    );
    await rm(root, { recursive: true, force: true });
  };
  function cluster(): TestCluster {
    return { nodes, url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, node, ownerOf, waitHealthy, stop };
  }
  const byPort = new Map<number, Redis>();
  const node = (port: number) => {
    let redis = byPort.get(port);
    if (!redis || redis.status === 'end') {
      redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => null });
      redis.on('error', () => undefined);
      clients.push(redis);
      byPort.set(port, redis);
    }
    return redis;
  };
  const alive = () => nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);

  const ownerOf = async (key: string) => {
    const probe = node(alive()[0]!.port);
    const slot = Number(await probe.call('CLUSTER', 'KEYSLOT', key));
    const ranges = (await probe.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, string], ...[string, number, string][]][];
    const range = ranges.find(([from, to]) => from <= slot && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    const [, , master, ...replicas] = range;
    return { master: master[1], replicas: replicas.map((r) => r[1]) };
  };

  const waitHealthy = async (timeoutMs: number, replicas = 0) => {
    await waitFor(
      async () => {
        for (const n of alive()) {
          const info = (await node(n.port)
            .call('CLUSTER', 'INFO')
            .catch(() => '')) as string;
          if (!info.includes('cluster_state:ok')) return undefined;
        }
        return true;
      },
      timeoutMs,
      'cluster_state:ok on every node',
    );
    // Every node must agree on the slot map (redis-cli --cluster check), not only call itself ok.
    await waitFor(
      async () => {
        const check = spawnSync('redis-cli', ['--cluster', 'check', `127.0.0.1:${alive()[0]!.port}`], { encoding: 'utf8' });
        return check.status === 0 && /\[OK\] All 16384 slots covered/.test(check.stdout) ? true : undefined;
      },
      timeoutMs,
      'redis-cli --cluster check',
    );
    await waitFor(
      async () => {
        const ranges = (await node(alive()[0]!.port).call('CLUSTER', 'SLOTS')) as unknown[][];
        return ranges.every((range) => range.length - 3 >= replicas) ? true : undefined;
      },
      timeoutMs,
      `${replicas} replica(s) of every master`,
    );
  };

  try {
    for (const port of ports) nodes.push(await startNode(port, await mkdtemp(path.join(root, `${port}-`)), opts));
    if (opts.create === false) return cluster();
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        String(opts.replicasPerMaster ?? 1),
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }

  try {
    await waitHealthy(30_000, opts.replicasPerMaster ?? 1);
  } catch (err) {
    await stop();
    throw err;
  }
  return cluster();
}

/** Every key matching `pattern` on every master of the cluster (SCAN runs per node). */
export async function clusterKeys(cluster: Cluster, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for (const master of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, batch] = await master.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}
