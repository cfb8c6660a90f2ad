/** No docker engine runs here: check what can be checked of the deployment files without one. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../helpers.js';

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

test('the producer is one-shot and its spec volume exists', () => {
  const producer = services.producer!;
  assert.equal(producer.restart, 'no');
  assert.equal(producer.command[0], 'enqueue');
  assert.ok(existsSync(path.join(REPO_ROOT, 'examples', 'gunpoint.yaml')));
});

test('every path the Dockerfiles copy exists', () => {
  for (const file of ['Dockerfile', 'Dockerfile.gpu']) {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const [, sources] of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of sources!.split(/\s+/)) assert.ok(existsSync(path.join(REPO_ROOT, source)), `${file}: ${source}`);
    }
  }
});
