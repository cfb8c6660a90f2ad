/**
 * The dashboard's leaderboard is paged (#12.8): limits are validated, the default and the largest
 * page are what the API documents, and the pages cover every result exactly once, in rank order.
 * Real Redis (a prefix of its own), the real dashboard app on a loopback port.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../../src/data/synthetic.js';
import { loadSpecFile } from '../../../src/definition/load-spec.js';
import { LEADERBOARD_PAGE } from '../../../src/dashboard/api.js';
import { createDashboard, type Dashboard } from '../../../src/dashboard/server.js';
import { enqueueSweep, prepareSweep } from '../../../src/producer/enqueue.js';
import { createTrialQueue } from '../../../src/queue/trial-queue.js';
import { ArtifactStore } from '../../../src/store/artifact-store.js';
import { DatasetStore } from '../../../src/store/dataset-store.js';
import { SweepStore } from '../../../src/store/sweep-store.js';
import { REDIS_URL, deletePrefix, fakeResult, uniquePrefix } from '../../helpers.js';

const prefix = uniquePrefix();
const N = 2345;
let redis: Redis;
let dir: string;
let dashboard: Dashboard;
let server: Server;
let base: string;
let sweepId: string;

before(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-paging-'));
  await writeSyntheticUcr(path.join(dir, 'data'), { trainSize: 16, testSize: 8, timesteps: 8, seed: 3 });
  const file = path.join(dir, 'paging.json');
  await writeFile(
    file,
    JSON.stringify({
      name: 'paging',
      dataset: { train: 'data/train.csv', format: 'ucr', protocol: 'holdout' },
      parameters: { width: Array.from({ length: N }, (_, i) => i + 1) },
      metric: { name: 'valLoss', goal: 'minimize' },
      dryRun: true,
    }),
  );
  const store = new SweepStore(redis, prefix);
  const queue = createTrialQueue(redis, prefix);
  const prepared = await prepareSweep(await loadSpecFile(file));
  sweepId = (await enqueueSweep(prepared, { store, datasets: new DatasetStore(redis, prefix), queue })).sweepId;
  await queue.close();
  // Every trial finished, with distinct losses in an order unrelated to the trial ids.
  await Promise.all(
    prepared.trials.map((t, i) =>
      store.saveResult(fakeResult(sweepId, t.config, { valLoss: ((i * 7919) % N) / N, valAuc: 0.5, valAcc: 0.5 }), prepared.spec.metric),
    ),
  );
  dashboard = createDashboard({ store, artifacts: new ArtifactStore(redis, prefix), connection: redis });
  server = dashboard.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sweeps/${sweepId}/leaderboard`;
});

after(async () => {
  server.close();
  await dashboard.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

interface Page {
  total: number;
  offset: number;
  limit: number;
  nextOffset: number | null;
  rows: { rank: number; trialId: string; metrics: { valLoss: number } }[];
}

const get = async (query: string) => {
  const res = await fetch(`${base}${query}`);
  return { status: res.status, body: (await res.json()) as Page & { error?: string } };
};

test('limits and offsets are validated: 400 with the reason', async () => {
  for (const q of ['?limit=0', `?limit=${LEADERBOARD_PAGE.maxLimit + 1}`, '?limit=abc', '?offset=-1', '?offset=1.5', '?limit=10&page=2']) {
    const { status, body } = await get(q);
    assert.equal(status, 400, q);
    assert.match(body.error ?? '', /invalid query/, q);
  }
});

test('without a limit, the first page of the documented default size', async () => {
  const { status, body } = await get('');
  assert.equal(status, 200);
  assert.deepEqual(
    [body.total, body.offset, body.limit, body.nextOffset],
    [N, 0, LEADERBOARD_PAGE.defaultLimit, LEADERBOARD_PAGE.defaultLimit],
  );
  assert.equal(body.rows.length, LEADERBOARD_PAGE.defaultLimit);
  assert.equal(body.rows[0]!.rank, 1);
});

test('the pages cover every result exactly once, in rank order', async () => {
  const rows: Page['rows'] = [];
  let offset: number | null = 0;
  let pages = 0;
  while (offset !== null) {
    const { status, body }: { status: number; body: Page } = await get(`?limit=${LEADERBOARD_PAGE.maxLimit}&offset=${offset}`);
    assert.equal(status, 200);
    assert.equal(body.offset, offset);
    rows.push(...body.rows);
    offset = body.nextOffset;
    pages++;
  }
  assert.equal(pages, Math.ceil(N / LEADERBOARD_PAGE.maxLimit));
  assert.equal(rows.length, N);
  assert.equal(new Set(rows.map((r) => r.trialId)).size, N);
  assert.deepEqual(
    rows.map((r) => r.rank),
    Array.from({ length: N }, (_, i) => i + 1),
  );
  for (let i = 1; i < N; i++) assert.ok(rows[i - 1]!.metrics.valLoss < rows[i]!.metrics.valLoss, `rank ${i} before ${i + 1}`);
  // Past the end: an empty last page.
  const { body } = await get(`?offset=${N}`);
  assert.deepEqual([body.rows.length, body.nextOffset, body.total], [0, null, N]);
});

test('the sweep reference (baseline) is its own field of every page and of the sweep, never a ranked row', async () => {
  const page = (await (await fetch(`${base}?limit=5`)).json()) as Page & { baseline: unknown };
  assert.equal(page.baseline, null, 'a dry-run sweep has no baseline');
  const store = new SweepStore(redis, prefix);
  const sweep = (await store.getSweep(sweepId))!;
  const withBaseline = {
    ...sweep,
    trials: 0,
    sweepId: 'paging-ref-0123456789',
    spec: { ...sweep.spec, dryRun: false, baseline: 'minirocket' as const },
  };
  await store.createSweep(withBaseline, []);
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sweeps/${withBaseline.sweepId}`;
  assert.deepEqual(((await (await fetch(api)).json()) as { baseline: unknown }).baseline, {
    kind: 'baseline',
    method: 'minirocket',
    state: 'queued',
  });
  const metrics = { valLoss: 0.1, valAcc: 0.97, valAuc: 0.99, valBalancedAcc: 0.97, testAcc: 0.96 };
  await store.saveBaseline({
    kind: 'baseline',
    method: 'minirocket',
    sweepId: withBaseline.sweepId,
    metrics,
    seconds: 0.2,
    durationMs: 500,
    features: 9996,
    alpha: 10,
    classes: 2,
    worker: 'w:1',
    attempts: 1,
    finishedAt: new Date(0).toISOString(),
    normalization: { mode: 'none' },
    inputShape: { timesteps: 8, features: 1 },
  });
  const overview = (await (await fetch(api)).json()) as { baseline: { state: string; metrics: unknown }; counts: { total: number } };
  assert.equal(overview.baseline.state, 'done');
  assert.deepEqual(overview.baseline.metrics, metrics);
  assert.equal(overview.counts.total, 0);
  const board = (await (await fetch(`${api}/leaderboard`)).json()) as Page & { baseline: { features: number } };
  assert.deepEqual([board.total, board.rows.length, board.baseline.features], [0, 0, 9996]);
});
