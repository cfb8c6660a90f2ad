/** No docker engine runs here: check what can be checked of the deployment files without one. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { RedisUrlSchema } from '../../src/config/env.js';
import { parseClusterUrl } from '../../src/config/redis-cluster-url.js';
import { hashTagOf } from '../../src/definition/ids.js';
import { REPO_ROOT } from '../helpers.js';
import { startTestCluster } from '../redis-cluster.js';

const ServiceSchema = z.object({
  image: z.string().optional(),
  build: z.union([z.string(), z.object({ context: z.string(), dockerfile: z.string() })]).optional(),
  command: z.array(z.string()),
  environment: z.record(z.string(), z.string()).optional(),
  profiles: z.array(z.string()).optional(),
  ports: z.array(z.string()).optional(),
  container_name: z.string().optional(),
  restart: z.string().optional(),
  deploy: z.unknown().optional(),
});
const ComposeSchema = z.object({ services: z.record(z.string(), ServiceSchema.passthrough()), volumes: z.record(z.string(), z.unknown()) });

const compose = ComposeSchema.parse(parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')));
const services = compose.services;

test('redis keeps data (AOF) and never evicts keys', () => {
  const cmd = services.redis!.command.join(' ');
  assert.match(cmd, /--appendonly yes/);
  assert.match(cmd, /--maxmemory-policy noeviction/);
});

test('the CPU worker scales with --scale worker=N: no fixed name, no host port', () => {
  const worker = services.worker!;
  assert.equal(worker.container_name, undefined);
  assert.equal(worker.ports, undefined);
  assert.equal(worker.command[0], 'worker');
  assert.equal(worker.environment?.REDIS_URL, 'redis://redis:6379');
});

test('the GPU worker reserves an NVIDIA device and uses the tfjs-node-gpu image', () => {
  const gpu = services['worker-gpu']!;
  const devices = (gpu.deploy as { resources: { reservations: { devices: Array<{ driver: string; capabilities: string[] }> } } }).resources
    .reservations.devices;
  assert.equal(devices[0]!.driver, 'nvidia');
  assert.deepEqual(devices[0]!.capabilities, ['gpu']);
  assert.ok(gpu.command.includes('tensorflow'));
  const build = gpu.build as { dockerfile: string };
  const dockerfile = readFileSync(path.join(REPO_ROOT, build.dockerfile), 'utf8');
  assert.match(dockerfile, /tfjs-node-gpu@4\.22\.0/);
  assert.match(dockerfile, /cuda:11\.2[\d.]*-cudnn8/);
});

test('the Vulkan GPU worker runs the packed gpu engine on a reserved NVIDIA device with the graphics capability', () => {
  const vulkan = services['worker-vulkan']!;
  assert.deepEqual(vulkan.command, ['worker', '--engine', 'gpu', '--pack', '64']);
  assert.equal(vulkan.environment?.REDIS_URL, 'redis://redis:6379');
  // graphics: the NVIDIA Container Toolkit mounts the Vulkan ICD only with it
  const capabilities = vulkan.environment?.NVIDIA_DRIVER_CAPABILITIES?.split(',') ?? [];
  for (const c of ['compute', 'utility', 'graphics']) assert.ok(capabilities.includes(c), `NVIDIA_DRIVER_CAPABILITIES has ${c}`);
  const devices = (vulkan.deploy as { resources: { reservations: { devices: Array<{ driver: string; capabilities: string[] }> } } })
    .resources.reservations.devices;
  assert.equal(devices[0]!.driver, 'nvidia');
  assert.deepEqual(devices[0]!.capabilities, ['gpu']);
  const build = vulkan.build as { dockerfile: string };
  assert.equal(build.dockerfile, 'Dockerfile.vulkan');
  const dockerfile = readFileSync(path.join(REPO_ROOT, build.dockerfile), 'utf8');
  assert.match(dockerfile, /apt-get install[^\n]*\blibvulkan1\b/);
  assert.match(dockerfile, /NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics/);
  // the webgpu package is an optional dependency: npm prune --omit=dev keeps it, nothing removes linux-x64
  assert.doesNotMatch(dockerfile, /--omit=optional|--no-optional|dist\/linux-/);
});

test('the producer is one-shot and its spec volume exists', () => {
  const producer = services.producer!;
  assert.equal(producer.restart, 'no');
  assert.equal(producer.command[0], 'enqueue');
  assert.ok(existsSync(path.join(REPO_ROOT, 'examples', 'gunpoint.yaml')));
});

test('every path the Dockerfiles copy exists', () => {
  for (const file of ['Dockerfile', 'Dockerfile.gpu', 'Dockerfile.vulkan']) {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const [, sources] of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of sources!.split(/\s+/)) assert.ok(existsSync(path.join(REPO_ROOT, source)), `${file}: ${source}`);
    }
  }
});

// The cluster example (profile "cluster"): six nodes, a one-shot init, workers and a producer.
const NODES = [1, 2, 3, 4, 5, 6].map((i) => `redis-node-${i}`);
const NodeNetworkSchema = z.object({ cluster: z.object({ ipv4_address: z.string() }) });
const DependsSchema = z.record(z.string(), z.object({ condition: z.string() }));

function nodeAddress(name: string): string {
  return NodeNetworkSchema.parse(services[name]!.networks).cluster.ipv4_address;
}

test('the cluster example: six cluster-enabled nodes with AOF, no eviction, own volumes and fixed addresses', () => {
  const raw = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
    networks: { cluster: { ipam: { config: Array<{ subnet: string }> } } };
  };
  const subnet = raw.networks.cluster.ipam.config[0]!.subnet;
  assert.match(subnet, /^172\.28\.0\.0\/24$/);
  const addresses = new Set<string>();
  const volumes = new Set<string>();
  for (const name of NODES) {
    const node = services[name]!;
    assert.deepEqual(node.profiles, ['cluster'], name);
    const cmd = node.command.join(' ');
    assert.match(cmd, /--cluster-enabled yes/);
    assert.match(cmd, /--appendonly yes/);
    assert.match(cmd, /--maxmemory-policy noeviction/);
    assert.equal(node.ports, undefined, `${name} publishes no port`);
    addresses.add(nodeAddress(name));
    volumes.add(String((node.volumes as string[])[0]).split(':')[0]!);
  }
  assert.equal(addresses.size, 6);
  assert.equal(volumes.size, 6);
  for (const v of volumes) assert.ok(v in compose.volumes, `volume ${v} is declared`);
  for (const a of addresses) assert.match(a, /^172\.28\.0\.\d+$/);
});

test('the cluster init is one-shot, waits for every node, and joins exactly the six into 3 masters + 3 replicas', () => {
  const init = services['redis-cluster-init']!;
  assert.equal(init.restart, 'no');
  assert.deepEqual(init.profiles, ['cluster']);
  const depends = DependsSchema.parse(init.depends_on);
  assert.deepEqual(Object.keys(depends).sort(), [...NODES].sort());
  for (const d of Object.values(depends)) assert.equal(d.condition, 'service_healthy');
  const script = init.command.at(-1)!;
  const created = /--cluster create ((?:\S+:6379 ?)+)/.exec(script)?.[1]?.trim().split(' ');
  assert.deepEqual(created?.sort(), NODES.map((n) => `${nodeAddress(n)}:6379`).sort());
  assert.match(script, /--cluster-replicas 1 --cluster-yes/);
});

test('cluster workers and producer use a redis+cluster:// URL of the nodes and a hash-tag prefix', () => {
  const addresses = NODES.map((n) => `${nodeAddress(n)}:6379`);
  for (const name of ['worker-cluster', 'producer-cluster']) {
    const svc = services[name]!;
    const url = RedisUrlSchema.parse(svc.environment?.REDIS_URL);
    for (const { host, port } of parseClusterUrl(url).nodes) assert.ok(addresses.includes(`${host}:${port}`), `${name}: ${host}:${port}`);
    assert.ok(hashTagOf(svc.environment!.LSW_PREFIX!), `${name}: LSW_PREFIX has a hash tag`);
    assert.equal(DependsSchema.parse(svc.depends_on)['redis-cluster-init']?.condition, 'service_completed_successfully');
    assert.deepEqual(svc.networks, ['cluster']);
  }
  assert.equal(services['worker-cluster']!.container_name, undefined, 'scales with --scale worker-cluster=N');
  assert.equal(services['producer-cluster']!.command[0], 'enqueue');
});

test("the init script, run against six real redis-server nodes started with the nodes' command, makes a healthy cluster (twice: idempotent)", async () => {
  const base = Number(process.env.LSW_TEST_DEPLOY_CLUSTER_PORT ?? 7110);
  const nodeArgs = services['redis-node-1']!.command.slice(1);
  const nodes = await startTestCluster({ basePort: base, create: false, extra: nodeArgs });
  try {
    // The compose addresses become the local nodes' addresses.
    let script = services['redis-cluster-init']!.command.at(-1)!;
    NODES.forEach((name, i) => {
      script = script.replaceAll(`${nodeAddress(name)}:6379`, `127.0.0.1:${base + i}`);
    });
    script = script.replaceAll(`-h ${nodeAddress(NODES[0]!)}`, `-h 127.0.0.1 -p ${base}`);
    assert.doesNotMatch(script, /172\.28/);
    for (let run = 0; run < 2; run++) {
      const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `run ${run + 1}: ${r.stdout}\n${r.stderr}`);
    }
    await nodes.waitHealthy(30_000, 1);
    const slots = (await nodes.node(base).call('CLUSTER', 'SLOTS')) as unknown[][];
    assert.equal(slots.length, 3, 'three masters');
    for (const range of slots) assert.equal(range.length - 3, 1, 'one replica each');
  } finally {
    await nodes.stop();
  }
});
