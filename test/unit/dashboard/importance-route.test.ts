/**
 * GET /api/sweeps/:sweepId/importance on a sweep larger than one fit takes (#13.4): 300 finished
 * trials are fitted as an even sample of 200 over the ranking, in the route's worker thread, and
 * the answer still finds what the metric depends on (learning rate strongly, depth weakly, dropout
 * not at all). Real Redis (a prefix of its own), the real dashboard app on a loopback port.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { IMPORTANCE, type ImportanceReport } from '../../../src/analysis/importance.js';
import { createDashboard, type Dashboard } from '../../../src/dashboard/server.js';
import { writeSyntheticUcr } from '../../../src/data/synthetic.js';
import { loadSpecFile } from '../../../src/definition/load-spec.js';
import { enqueueSweep, prepareSweep } from '../../../src/producer/enqueue.js';
import { createTrialQueue } from '../../../src/queue/trial-queue.js';
import { ArtifactStore } from '../../../src/store/artifact-store.js';
import { DatasetStore } from '../../../src/store/dataset-store.js';
import { SweepStore } from '../../../src/store/sweep-store.js';
import { REDIS_URL, deletePrefix, fakeResult, uniquePrefix } from '../../helpers.js';

const prefix = uniquePrefix();
const RATES = Array.from({ length: 25 }, (_, i) => Number((1e-4 * 10 ** (i / 8)).toPrecision(3)));
const N = RATES.length * 4 * 3;
let redis: Redis;
let dir: string;
let dashboard: Dashboard;
let server: Server;
let url: string;

before(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-importance-'));
  await writeSyntheticUcr(path.join(dir, 'data'), { trainSize: 16, testSize: 8, timesteps: 8, seed: 3 });
  const file = path.join(dir, 'importance.json');
  await writeFile(
    file,
    JSON.stringify({
      name: 'importance',
      dataset: { train: 'data/train.csv', format: 'ucr', protocol: 'holdout' },
      parameters: { learningRate: RATES, depth: [1, 2, 3, 4], dropout: [0, 0.2, 0.4] },
      metric: { name: 'valLoss', goal: 'minimize' },
      dryRun: true,
    }),
  );
  const store = new SweepStore(redis, prefix);
  const queue = createTrialQueue(redis, prefix);
  const prepared = await prepareSweep(await loadSpecFile(file));
  const sweepId = (await enqueueSweep(prepared, { store, datasets: new DatasetStore(redis, prefix), queue })).sweepId;
  await queue.close();
  // valLoss: a bowl in log10(learning rate) around 1e-2.5, plus a little per layer; dropout plays no part.
  await Promise.all(
    prepared.trials.map((t) => {
      const c = t.config;
      const valLoss = (Math.log10(c.learningRate) + 2.5) ** 2 + 0.15 * c.depth;
      return store.saveResult(fakeResult(sweepId, c, { valLoss, valAuc: 0.5, valAcc: 0.5 }), prepared.spec.metric);
    }),
  );
  dashboard = createDashboard({ store, artifacts: new ArtifactStore(redis, prefix), connection: redis });
  server = dashboard.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sweeps/${sweepId}/importance`;
});

after(async () => {
  server.close();
  await dashboard.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

test(`${N} finished trials: fitted on an even sample of ${IMPORTANCE.maxTrials}, the ranking still right, the same twice`, async () => {
  const [a, b] = await Promise.all([fetch(url), fetch(url)]);
  assert.equal(a.status, 200);
  const report = (await a.json()) as ImportanceReport;
  assert.equal(report.trials, N);
  assert.equal(report.used, IMPORTANCE.maxTrials);
  assert.match(report.note ?? '', new RegExp(`^Fitted on ${IMPORTANCE.maxTrials} of ${N} finished trials`));
  assert.deepEqual(
    report.parameters.map((p) => p.name),
    ['learningRate', 'depth', 'dropout'],
  );
  assert.ok(report.parameters[0]!.importance > 0.8, JSON.stringify(report.parameters));
  assert.ok(report.parameters[1]!.correlation! > 0, 'more layers, more loss');
  assert.ok(report.r2! > 0.9, `R^2 ${report.r2}`);
  assert.deepEqual(await b.json(), report);
});
