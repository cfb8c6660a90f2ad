/**
 * A real multi-node Redis Cluster: three masters with one replica each (six `redis-server`
 * processes on loopback ports LSW_TEST_CLUSTER_PORT.. +5, default 7100-7105, and their bus ports
 * +10000), created with `redis-cli --cluster create`. A real-training sweep runs through it with
 * two real worker processes while the master holding lstm-sweep's slot is killed (kill -9) and
 * its replica takes over. Then the CLI's answers to a cluster that is down, or is no cluster.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cluster } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { freePort } from '../../src/demo/local-redis.js';
import { REDIS_URL, exited, logEvents, runCli, spawnCli, waitFor, type LogEvent } from '../helpers.js';
import { clusterKeys, startTestCluster, type TestCluster } from '../redis-cluster.js';

const BASE_PORT = Number(process.env.LSW_TEST_CLUSTER_PORT ?? 7100);
/** lstm-sweep's default prefix on a cluster: one hash tag, one slot. */
const PREFIX = '{lsw}';
const NODE_TIMEOUT_MS = 2000;

let dir: string;
let cluster: TestCluster;
let client: Cluster;
const workers: ReturnType<typeof spawnCli>[] = [];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-cluster-test-'));
  cluster = await startTestCluster({ basePort: BASE_PORT, masters: 3, replicasPerMaster: 1, nodeTimeoutMs: NODE_TIMEOUT_MS });
  client = new Cluster([{ host: '127.0.0.1', port: BASE_PORT }], { retryDelayOnFailover: 250, maxRedirections: 120 });
  client.on('error', () => undefined);
});

after(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  client?.disconnect();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

const completedBy = (events: LogEvent[]) => events.filter((e) => e.event === 'trial.end' && e.status === 'completed');
const trialOf = (jobId: string | undefined) => jobId!.split('.').pop()!;

describe('a sweep through a 3-master, 3-replica Redis Cluster', () => {
  test('kill -9 of the master holding the sweep mid-sweep: its replica takes over, every trial ends once, nothing acknowledged is lost', async () => {
    const { train, test: testFile } = await writeSyntheticUcr(dir, { trainSize: 48, testSize: 16, timesteps: 24, seed: 5 });
    const spec = path.join(dir, 'cluster.yaml');
    // 12 real trials of a second or two each: the sweep is in full swing when the master dies.
    await writeFile(
      spec,
      [
        'name: cluster-failover',
        'baseline: none',
        `dataset: { train: ${train}, test: ${testFile}, protocol: holdout, validationSplit: 0.25 }`,
        'method: grid',
        'parameters:',
        '  depth: [1, 2]',
        '  width: [4, 8]',
        '  epochs: [120]',
        '  patience: [0]',
        'seeds: [1, 2, 3]',
      ].join('\n'),
    );
    const env = { REDIS_URL: cluster.url, LSW_PREFIX: '', LSW_CACHE_DIR: path.join(dir, 'cache') };
    const owner = await cluster.ownerOf(`${PREFIX}:trials:meta`);
    assert.equal(owner.replicas.length, 1, 'the master of the slot has its replica');

    const started = Date.now();
    const enq = await runCli(['enqueue', spec, '--json'], env);
    assert.equal(enq.code, 0, enq.stderr);
    const { sweepId, trials } = JSON.parse(enq.stdout) as { sweepId: string; trials: number };
    assert.equal(trials, 12);
    const results = `${PREFIX}:sweep:${sweepId}:results`;

    for (let i = 0; i < 2; i++) workers.push(spawnCli(['worker', '--redis', cluster.url], { ...env, REDIS_URL: 'redis://127.0.0.1:1' }));
    const logs = () => workers.flatMap((w) => logEvents(w.output()));

    // Acknowledged = a worker logged the trial's completion: after its result was written (and,
    // on a cluster, confirmed on a replica with WAIT) and its job moved to completed.
    await waitFor(async () => (completedBy(logs()).length >= 3 ? true : undefined), 120_000, '3 trials acknowledged');
    const acked = new Set(completedBy(logs()).map((e) => trialOf(e.jobId)));
    const beforeKill = await client.hgetall(results);
    assert.ok(Object.keys(beforeKill).length < trials, 'the sweep is still running when the master is killed');
    for (const id of acked) assert.ok(beforeKill[id], `acknowledged trial ${id} is stored`);

    const master = cluster.nodes.find((n) => n.port === owner.master)!;
    const killedAt = Date.now();
    master.proc.kill('SIGKILL');
    await waitFor(
      async () => {
        const role = (await cluster
          .node(owner.replicas[0]!)
          .call('ROLE')
          .catch(() => [])) as string[];
        return role[0] === 'master' ? true : undefined;
      },
      30_000,
      'the replica to be promoted',
    );
    const promotedMs = Date.now() - killedAt;
    await cluster.waitHealthy(30_000);

    await waitFor(async () => ((await client.hlen(results)) === trials ? true : undefined), 180_000, 'every trial to finish');
    const sweepMs = Date.now() - started;
    const status = await runCli(['status', sweepId, '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), {
      total: trials,
      waiting: 0,
      active: 0,
      completed: trials,
      failed: 0,
      cancelled: 0,
      pruned: 0,
    });

    // Every trial once: one result per trial of the sweep, no more, no fewer.
    const [trialIds, finalResults] = await Promise.all([client.hkeys(`${PREFIX}:sweep:${sweepId}:trials`), client.hgetall(results)]);
    assert.equal(trialIds.length, trials);
    assert.deepEqual(Object.keys(finalResults).sort(), trialIds.sort());
    // Nothing acknowledged before the failover was lost, or trained again: the very same records.
    for (const id of acked)
      assert.equal(finalResults[id], beforeKill[id], `result of acknowledged trial ${id} survived the failover as it was`);
    // The slot is served by the promoted replica now.
    assert.equal((await cluster.ownerOf(`${PREFIX}:trials:meta`)).master, owner.replicas[0]);

    const board = await runCli(['leaderboard', sweepId, '--json'], env);
    assert.equal(board.code, 0, board.stderr);
    assert.equal((JSON.parse(board.stdout) as unknown[]).length, trials);

    // The dashboard reads the store and BullMQ (bull-board) through the cluster too.
    const port = await freePort();
    const dashboard = spawnCli(['dashboard', '--redis', cluster.url, '--port', String(port)], env);
    try {
      const sweeps = await waitFor(
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/api/sweeps`).catch(() => undefined);
          return r?.ok ? ((await r.json()) as { sweeps: Array<{ sweepId: string }> }).sweeps : undefined;
        },
        30_000,
        `the dashboard: ${dashboard.output()}`,
      );
      assert.deepEqual(
        sweeps.map((x) => x.sweepId),
        [sweepId],
      );
      const queues = (await (await fetch(`http://127.0.0.1:${port}/queues/api/queues`)).json()) as {
        queues: Array<{ name: string; counts: Record<string, number> }>;
      };
      assert.equal(queues.queues[0]?.counts.completed, trials, 'bull-board counts the completed jobs through the cluster');
    } finally {
      dashboard.kill('SIGTERM');
      await exited(dashboard);
    }

    for (const w of workers) w.kill('SIGTERM');
    assert.deepEqual(await Promise.all(workers.map(exited)), [0, 0]);
    const events = logs();
    // At-least-once delivery: a trial whose completion the failover cut off runs (or reports its
    // stored result) again; none may end failed.
    assert.deepEqual(
      events.filter((e) => e.event === 'trial.end' && !['completed', 'already-done'].includes(e.status!)),
      [],
    );
    const starts = events.filter((e) => e.event === 'trial.start').length;
    // Every key of the run is under the prefix, on the one master serving its slot.
    const keys = await clusterKeys(client, '*');
    assert.ok(keys.length > 0);
    for (const key of keys) assert.ok(key.startsWith(`${PREFIX}:`), `${key} is under ${PREFIX}`);
    console.log(
      `cluster sweep: ${trials} trials in ${(sweepMs / 1000).toFixed(1)} s; replica promoted ${(promotedMs / 1000).toFixed(1)} s after kill -9 ` +
        `(cluster-node-timeout ${NODE_TIMEOUT_MS} ms); ${acked.size} acknowledged before the kill, all kept; ` +
        `${starts - trials} re-deliveries; ${events.filter((e) => e.event === 'redis.unreplicated').length} unreplicated-write warnings`,
    );
  });
});

describe('the CLI on a cluster that is down, or is no cluster (exit 2, one line)', () => {
  const oneLine = (r: { code: number | null; stderr: string }, pattern: RegExp) => {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  };

  test('a plain redis:// URL to a node of the cluster names the cluster URL', async () => {
    const port = cluster.nodes.find((n) => n.proc.exitCode === null && n.proc.signalCode === null)!.port;
    oneLine(
      await runCli(['sweeps', '--redis', `redis://127.0.0.1:${port}`]),
      /one node of a Redis Cluster of \d+ nodes: .*redis\+cluster:\/\//,
    );
  });

  test('redis+cluster:// to a Redis without cluster support says so', async () => {
    const single = new URL(REDIS_URL);
    oneLine(
      await runCli(['sweeps', '--redis', `redis+cluster://${single.hostname}:${single.port || 6379}`]),
      /without cluster support \(cluster_enabled:0\): for a single Redis use redis:\/\//,
    );
  });

  test('no node answering, a bad node list and a prefix without a hash tag are refused', async () => {
    oneLine(await runCli(['sweeps', '--redis', 'redis+cluster://127.0.0.1:1,127.0.0.1:2']), /no cluster node answers .*ECONNREFUSED/);
    oneLine(
      await runCli(['sweeps', '--redis', 'redis+cluster://127.0.0.1']),
      /--redis: "redis\+cluster:\/\/127\.0\.0\.1" is not a cluster URL: cluster node 1 "127\.0\.0\.1" is not host:port/,
    );
    oneLine(await runCli(['sweeps', '--redis', cluster.url, '--prefix', 'lsw']), /--prefix "lsw" has no hash tag: .*'\{lsw\}'/);
    oneLine(await runCli(['sweeps'], { REDIS_URL: cluster.url, LSW_PREFIX: 'team-a' }), /LSW_PREFIX "team-a" has no hash tag/);
  });

  test('a cluster whose slots lost their master and replica is reported down', async () => {
    // The master of the slot and every replica of it killed: a third of the slots has no node
    // left, and the cluster refuses service (cluster_state:fail).
    const { master, replicas } = await cluster.ownerOf(`${PREFIX}:trials:meta`);
    const gone = [master, ...replicas];
    for (const n of cluster.nodes) if (gone.includes(n.port)) n.proc.kill('SIGKILL');
    const live = cluster.nodes.find((n) => n.proc.exitCode === null && n.proc.signalCode === null && !gone.includes(n.port))!;
    await waitFor(
      async () =>
        (
          (await cluster
            .node(live.port)
            .call('CLUSTER', 'INFO')
            .catch(() => '')) as string
        ).includes('cluster_state:fail') || undefined,
      30_000,
      'cluster_state:fail',
    );
    oneLine(
      await runCli(['status', 'x-0123456789', '--redis', `redis+cluster://127.0.0.1:${live.port}`]),
      /cannot connect to the Redis Cluster at .*: the cluster is down \(cluster_state:fail/,
    );
  });
});
