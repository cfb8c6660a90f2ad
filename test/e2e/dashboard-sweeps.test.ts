/**
 * Sweeps compared side by side and models downloaded from the leaderboard, through real parts:
 * a real trained sweep (models kept in Redis) and a dry run on the same files, a dry run on other
 * data, the built CLI serving the dashboard with a token, and headless Chromium.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import {
  tearDown,
  enqueue,
  launchBrowser,
  noChromium,
  openPage,
  showTrialRows,
  startDashboard,
  sweepStatus,
  trainAll,
  trainRealSweep,
  writeData,
  writeSpec,
  type RunningDashboard,
} from '../dashboard-fixture.js';
import { REDIS_URL, runCli, uniquePrefix } from '../helpers.js';

const prefix = uniquePrefix();
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '', LSW_DASHBOARD_TOKEN: '' };

interface Point {
  trialId: string;
  value: number;
  testAcc: number | null;
}
interface CompareEntry {
  sweepId: string;
  name: string;
  method: string;
  finished: number;
  datasetHash: string;
  best: {
    kind: 'config' | 'trial';
    config: Record<string, unknown>;
    trialIds: string[];
    seeds: number[];
    value: number;
    testAcc: number | null;
  };
  baseline: { state: string; metrics: Record<string, number> } | null;
  points: Point[];
}
interface Compare {
  datasetHash: string;
  metric: { name: string; goal: string };
  note: string | null;
  sweeps: CompareEntry[];
}

let redis: Redis;
let dir: string;
let dashboard: RunningDashboard;
let browser: Browser | undefined;
let shared: { page: Page; errors: string[] } | undefined;
/** real, 2 seeds, MiniRocket baseline */
let real: string;
/** dry run on the same files, 1 seed */
let dry: string;
/** dry run on other data */
let other: string;

async function cli(args: string[]): Promise<string> {
  const r = await runCli(args, env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-dash-sweeps-'));
  // The dry runs are queued first: the real sweep's worker trains them too, before its own trials.
  await writeData(dir);
  const dryLines = [
    'method: grid',
    'parameters:',
    '  depth: [1, 2, 3]',
    '  width: [4, 8]',
    'seeds: [1]',
    'metric: { name: valAuc, goal: maximize }',
    'dryRun: true',
  ];
  dry = await enqueue(await writeSpec(dir, 'cmp-dry', dryLines), env);
  const otherDir = path.join(dir, 'other');
  await mkdir(otherDir);
  await writeSyntheticUcr(otherDir, { trainSize: 20, testSize: 10, timesteps: 12, seed: 9 });
  other = await enqueue(await writeSpec(otherDir, 'cmp-other', dryLines), env);
  real = await trainRealSweep(dir, env, 'cmp-real');
  for (const id of [dry, other]) if ((await sweepStatus(id, env)).completed !== 6) await trainAll(id, env);
  dashboard = await startDashboard(env, TOKEN);
});

after(async () => {
  await shared?.page.close();
  await tearDown({ browser, dashboard, redis, prefix, dir });
});

async function getStatus(
  p: string,
  headers: Record<string, string> = dashboard.auth,
): Promise<{ status: number; body: { error?: string } }> {
  const res = await fetch(dashboard.base + p, { headers });
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

describe('compare sweeps: API', () => {
  test('refuses sweeps of different datasets (400 naming them), unknown sweeps (404), bad lists (400), no token (401)', async () => {
    const mixed = await getStatus(`api/compare?sweeps=${real},${other}`);
    assert.equal(mixed.status, 400);
    assert.match(mixed.body.error!, /different datasets/);
    assert.ok(mixed.body.error!.includes(real) && mixed.body.error!.includes(other), mixed.body.error);
    const unknown = await getStatus(`api/compare?sweeps=${real},nope-0123456789`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error!, /no sweep "nope-0123456789"/);
    for (const q of [`sweeps=${real}`, `sweeps=${real},${real}`, `sweeps=${real},../x`, '', `sweeps=${real},${dry}&x=1`]) {
      const bad = await getStatus(`api/compare?${q}`);
      assert.equal(bad.status, 400, q);
      assert.match(bad.body.error!, /^invalid query: /, q);
    }
    assert.equal((await getStatus(`api/compare?sweeps=${real},${dry}`, {})).status, 401);
  });

  test("each sweep's best is what leaderboard --by-config (several seeds) or best (one seed) says; points are its finished trials", async () => {
    const data = await dashboard.get<Compare>(`api/compare?sweeps=${real},${dry}`);
    assert.deepEqual(data.metric, { name: 'valAuc', goal: 'maximize' });
    assert.equal(data.note, null);
    const [r, d] = data.sweeps;
    assert.equal(r!.sweepId, real);
    assert.equal(d!.sweepId, dry);
    assert.equal(r!.datasetHash, d!.datasetHash);

    const groups = JSON.parse(await cli(['leaderboard', real, '--by-config', '--json'])) as Array<{
      kind: string;
      config: Record<string, unknown>;
      trialIds: string[];
      metric: { mean: number };
      testAcc?: { mean: number };
    }>;
    const top = groups.find((g) => g.kind === 'config')!;
    assert.equal(r!.best.kind, 'config');
    assert.deepEqual(r!.best.config, top.config);
    assert.deepEqual(r!.best.trialIds, top.trialIds);
    assert.equal(r!.best.value, top.metric.mean);
    assert.equal(r!.best.testAcc, top.testAcc!.mean);
    assert.equal(r!.baseline?.state, 'done');

    const bestDry = JSON.parse(await cli(['best', dry, '--json'])) as {
      trialId: string;
      config: Record<string, unknown>;
      metrics: { valAuc: number };
    };
    assert.equal(d!.best.kind, 'trial');
    assert.deepEqual(d!.best.trialIds, [bestDry.trialId]);
    assert.deepEqual(d!.best.config, bestDry.config);
    assert.equal(d!.best.value, bestDry.metrics.valAuc);

    for (const [entry, id, n] of [
      [r!, real, 8],
      [d!, dry, 6],
    ] as const) {
      const rows = JSON.parse(await cli(['leaderboard', id, '--json'])) as Array<{
        kind: string;
        trialId: string;
        metrics: Record<string, number>;
      }>;
      const trials = rows.filter((x) => x.kind === 'trial');
      assert.equal(trials.length, n);
      assert.equal(entry.finished, n);
      assert.deepEqual(
        entry.points,
        trials.map((t) => ({ trialId: t.trialId, value: t.metrics.valAuc, testAcc: t.metrics.testAcc ?? null })),
      );
    }
  });
});

/** The y values of each box trace of a Plotly chart, by trace name. */
function boxes(page: Page, id: string): Promise<Record<string, number[]>> {
  return page.evaluate((el) => {
    const gd = document.getElementById(el) as unknown as { data: Array<{ type: string; name: string; y: number[] }> };
    return Object.fromEntries(gd.data.filter((t) => t.type === 'box').map((t) => [t.name, [...t.y]]));
  }, id);
}

/**
 * One page for every browser test (Chromium and Plotly start once, which takes seconds on a busy
 * machine); the tests move it from view to view by its hash, as a user's clicks do.
 */
async function thePage(hash: string): Promise<{ page: Page; errors: string[] }> {
  browser ??= await launchBrowser();
  shared ??= await openPage(browser, `${dashboard.base}?token=${TOKEN}`);
  await shared.page.evaluate((h) => {
    location.hash = h;
  }, hash);
  return shared;
}

describe('compare sweeps: the page', { skip: noChromium }, () => {
  test('Compare is refused for different datasets and leads to the side-by-side view: best configurations and box plots of the API values', async () => {
    const { page, errors } = await thePage('#/');
    await page.waitForSelector('#sweeps tbody tr');
    const btn = page.locator('#compare-btn');
    assert.equal(await btn.isDisabled(), true);
    await page.check(`input[data-compare="${real}"]`);
    await page.check(`input[data-compare="${other}"]`);
    assert.equal(await btn.isDisabled(), true);
    assert.match((await page.textContent('#compare-hint')) ?? '', /different datasets/);
    await page.uncheck(`input[data-compare="${other}"]`);
    await page.check(`input[data-compare="${dry}"]`);
    assert.equal(await btn.isDisabled(), false);
    await btn.click();
    await page.waitForSelector('#compare-table td[data-row="best"]');
    const hash = await page.evaluate(() => location.hash);
    // In the overview's order, newest first: the real sweep was enqueued after the dry run.
    assert.equal(hash, `#/compare/${real},${dry}`);

    const data = await dashboard.get<Compare>(`api/compare?sweeps=${real},${dry}`);
    const entry = (id: string) => data.sweeps.find((s) => s.sweepId === id)!;
    const meta = await dashboard.get<{ parameters: Array<{ name: string; absent?: unknown; default?: unknown }> }>('api/meta');
    for (const s of data.sweeps) {
      assert.equal(await page.textContent(`#compare-table th[data-sweep="${s.sweepId}"] b`), s.name);
      assert.equal(
        await page.textContent(`#compare-table td[data-sweep="${s.sweepId}"][data-row="metric"]`).then((t) => t!.split(' ')[0]),
        s.best.value.toFixed(4),
      );
      // Each swept parameter's cell shows the best configuration's value.
      for (const name of ['depth', 'width', 'residual']) {
        const p = meta.parameters.find((x) => x.name === name)!;
        const value = s.best.config[name] ?? p.absent ?? p.default;
        assert.equal(
          await page.textContent(`#compare-table td[data-sweep="${s.sweepId}"][data-param="${name}"]`),
          String(value),
          `${s.name} ${name}`,
        );
      }
    }
    assert.match(
      (await page.textContent(`#compare-table td[data-sweep="${real}"][data-row="best"]`)) ?? '',
      /configuration over 2 seeds \(0, 1\)/,
    );
    assert.match(
      (await page.textContent(`#compare-table td[data-sweep="${dry}"][data-row="best"]`)) ?? '',
      new RegExp(`trial ${entry(dry).best.trialIds[0]!.slice(0, 8)}`),
    );
    assert.match((await page.textContent(`#compare-table td[data-sweep="${real}"][data-row="baseline"]`)) ?? '', /^\d\.\d{4}/);

    await page.waitForSelector('#compare-metric .boxlayer .trace', { state: 'attached' });
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const metricBoxes = await boxes(page, 'compare-metric');
    assert.deepEqual(Object.keys(metricBoxes), ['cmp-real', 'cmp-dry']);
    for (const s of data.sweeps) assert.deepEqual(sorted(metricBoxes[s.name]!), sorted(s.points.map((p) => p.value)));
    // Every point drawn: Plotly's box with boxpoints 'all'.
    assert.equal(await page.locator('#compare-metric .boxlayer .point').count(), 6 + 8);
    const testBoxes = await boxes(page, 'compare-testAcc');
    assert.deepEqual(sorted(testBoxes['cmp-real']!), sorted(entry(real).points.map((p) => p.testAcc!)));
    assert.deepEqual(errors, []);
  });
});

/** The files of a zip archive. */
function unzip(buf: Buffer): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(unzipSync(new Uint8Array(buf))).map(([name, data]) => [name, Buffer.from(data)]));
}

const withoutExportedAt = (text: string) => {
  const { exportedAt, ...rest } = JSON.parse(text) as { exportedAt: string };
  assert.ok(!Number.isNaN(Date.parse(exportedAt)), exportedAt);
  return rest;
};

describe('model download', () => {
  test('a dry-run trial has no model (404, says why); the route needs the token (401) and valid ids (400)', async () => {
    const rows = (await dashboard.get<{ rows: Array<{ trialId: string; hasModel: boolean }> }>(`api/sweeps/${dry}/leaderboard`)).rows;
    assert.ok(rows.length > 0 && rows.every((r) => r.hasModel === false));
    const miss = await getStatus(`api/sweeps/${dry}/trials/${rows[0]!.trialId}/model`);
    assert.equal(miss.status, 404);
    assert.match(miss.body.error!, /was not kept \(the sweep is a dry run/);
    const realRows = (await dashboard.get<{ rows: Array<{ trialId: string; hasModel: boolean }> }>(`api/sweeps/${real}/leaderboard`)).rows;
    assert.ok(realRows.every((r) => r.hasModel === true));
    assert.equal((await getStatus(`api/sweeps/${real}/trials/${realRows[0]!.trialId}/model`, {})).status, 401);
    assert.equal((await getStatus(`api/sweeps/${real}/trials/0000000000000000/model`)).status, 404);
    assert.equal((await getStatus(`api/sweeps/${real}/trials/not-a-trial/model`)).status, 400);
    assert.equal((await getStatus(`api/sweeps/nope-0123456789/trials/${realRows[0]!.trialId}/model`)).status, 404);
    assert.equal((await getStatus(`api/sweeps/${dry}/baseline/model`)).status, 404);
  });

  test('the baseline zip holds what best --baseline --export writes', async () => {
    const res = await fetch(`${dashboard.base}api/sweeps/${real}/baseline/model`, { headers: dashboard.auth });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="?${real}-baseline\\.zip"?$`));
    const files = unzip(Buffer.from(await res.arrayBuffer()));
    const out = path.join(dir, 'baseline-export');
    await cli(['best', real, '--baseline', '--export', out]);
    assert.deepEqual(Object.keys(files).sort(), (await readdir(out)).sort());
    assert.ok(files['minirocket.json']!.equals(await readFile(path.join(out, 'minirocket.json'))));
    assert.deepEqual(
      withoutExportedAt(files['trial.json']!.toString()),
      withoutExportedAt(await readFile(path.join(out, 'trial.json'), 'utf8')),
    );
  });

  test(
    'a leaderboard row downloads <sweep>-<trial>.zip: the files best --trial --export writes, and predict loads it',
    { skip: noChromium },
    async () => {
      const { page, errors } = await thePage(`#/sweeps/${dry}`);
      await page.waitForSelector(`#leaderboard tbody tr[data-trial-id]`);
      await page.waitForFunction((id) => document.querySelector('#sweep-title')?.textContent?.startsWith(id), dry);
      assert.equal(await page.locator('#leaderboard a.download').count(), 0, 'a dry run has nothing to download');

      await thePage(`#/sweeps/${real}`);
      await showTrialRows(page, 8);
      await page.waitForSelector('#leaderboard tbody tr[data-trial-id] a.download');
      assert.equal(await page.locator('#leaderboard tr[data-trial-id] a.download').count(), 8);
      // The reference row downloads the baseline's model.
      assert.equal(
        await page.getAttribute('#leaderboard tr[data-ref="baseline"] a.download', 'href'),
        `api/sweeps/${encodeURIComponent(real)}/baseline/model`,
      );
      const trialId = (await page.getAttribute('#leaderboard tbody tr:nth-child(2)', 'data-trial-id'))!;
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`#leaderboard tr[data-trial-id="${trialId}"] a.download`),
      ]);
      assert.equal(download.suggestedFilename(), `${real}-${trialId}.zip`);
      const zipFile = path.join(dir, 'download.zip');
      await download.saveAs(zipFile);
      const files = unzip(await readFile(zipFile));
      assert.deepEqual(Object.keys(files).sort(), ['model.json', 'trial.json', 'weights.bin']);

      const out = path.join(dir, 'trial-export');
      await cli(['best', real, '--trial', trialId, '--export', out]);
      assert.equal(files['model.json']!.toString(), await readFile(path.join(out, 'model.json'), 'utf8'));
      assert.ok(files['weights.bin']!.equals(await readFile(path.join(out, 'weights.bin'))), 'weights byte-equal');
      assert.deepEqual(
        withoutExportedAt(files['trial.json']!.toString()),
        withoutExportedAt(await readFile(path.join(out, 'trial.json'), 'utf8')),
      );
      assert.equal((JSON.parse(files['trial.json']!.toString()) as { trialId: string }).trialId, trialId);

      // The unzipped folder is a model predict loads: on the test file it scores the trial's test accuracy.
      const unzipped = path.join(dir, 'unzipped');
      await mkdir(unzipped);
      for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(unzipped, name), bytes);
      const predicted = JSON.parse(await cli(['predict', '--model', unzipped, '--data', path.join(dir, 'test.csv'), '--json'])) as Array<{
        label: number;
        trueLabel: number;
      }>;
      assert.equal(predicted.length, 12);
      const summary = JSON.parse(files['trial.json']!.toString()) as { metrics: { testAcc: number } };
      assert.equal(predicted.filter((r) => r.label === r.trueLabel).length / predicted.length, summary.metrics.testAcc);
      assert.deepEqual(errors, []);
    },
  );
});
