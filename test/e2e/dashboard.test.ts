/**
 * The web dashboard through real parts: the built CLI serving it, the real Redis, real worker
 * processes producing (dry-run) results, and a real headless Chromium driving the page.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { vocabularyJson } from '../../src/definition/vocabulary.js';
import { ABSENT_OPTIONS } from '../../src/model/trial-config.js';
import { launchBrowser, noChromium } from '../dashboard-fixture.js';
import { REDIS_URL, deletePrefix, exited, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';

const prefix = uniquePrefix();
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '', LSW_DASHBOARD_TOKEN: '' };
const auth = { Authorization: `Bearer ${TOKEN}` };

let redis: Redis;
let dir: string;
let dashboard: ReturnType<typeof spawnCli>;
let base: string;
let sweepA: string;
let sweepB: string;
let sweepR: string;

/** A dry-run grid sweep of the synthetic data: `parameters` and `seeds` as YAML lines. */
async function writeYamlSpec(name: string, parameters: string[], seeds = '[1]'): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    [
      `name: ${name}`,
      'dataset: { train: train.csv, test: test.csv, format: ucr, validationSplit: 0.25 }',
      'method: grid',
      'parameters:',
      ...parameters.map((line) => `  ${line}`),
      'metric: { name: valAuc, goal: maximize }',
      `seeds: ${seeds}`,
      'dryRun: true',
    ].join('\n'),
  );
  return file;
}

function writeSpec(name: string, depths: number[], widths: number[]): Promise<string> {
  return writeYamlSpec(name, [`depth: [${depths.join(', ')}]`, `width: [${widths.join(', ')}]`, 'epochs: [3]']);
}

/** The demo's sweep (src/demo/demo-spec.ts) as a dry run: with and without skip connections, 2 seeds. */
function writeDemoLikeSpec(name: string): Promise<string> {
  return writeYamlSpec(name, ['depth: [1]', 'width: [32]', 'inputProjection: [true]', 'residual: [true, false]', 'epochs: [3]'], '[0, 1]');
}

async function enqueue(specFile: string): Promise<string> {
  const r = await runCli(['enqueue', specFile, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { sweepId: string }).sweepId;
}

async function counts(sweepId: string): Promise<Record<string, number>> {
  const r = await runCli(['status', sweepId, '--json'], env);
  return JSON.parse(r.stdout) as Record<string, number>;
}

async function runWorkerUntilDone(sweepId: string, total: number): Promise<void> {
  const worker = spawnCli(['worker'], env);
  try {
    await waitFor(async () => ((await counts(sweepId)).completed === total ? true : undefined), 30_000, `${total} dry-run trials`);
  } finally {
    worker.kill('SIGTERM');
    await exited(worker);
  }
}

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-dashboard-'));
  await writeSyntheticUcr(dir, { trainSize: 24, testSize: 12, timesteps: 8, seed: 3 });
  sweepA = await enqueue(await writeSpec('dash-a', [1, 2, 3], [4, 8]));
  await runWorkerUntilDone(sweepA, 6);
  sweepR = await enqueue(await writeDemoLikeSpec('dash-residual'));
  await runWorkerUntilDone(sweepR, 4);

  dashboard = spawnCli(['dashboard', '--port', '0'], { ...env, LSW_DASHBOARD_TOKEN: TOKEN });
  const first = await waitFor(
    async () =>
      dashboard.output().includes('\n')
        ? dashboard.output().split('\n')[0]
        : dashboard.exitCode !== null
          ? `exited: ${dashboard.output()}`
          : undefined,
    15_000,
    'the dashboard to start',
  );
  const match = first.match(/^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/);
  assert.ok(match, `first line: ${first}`);
  base = match[1]!;
});

after(async () => {
  if (dashboard && dashboard.exitCode === null) {
    dashboard.kill('SIGTERM');
    assert.equal(await exited(dashboard), 0, dashboard.output());
  }
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard command', () => {
  test('refuses a non-loopback host without a token, in one line', async () => {
    const r = await runCli(['dashboard', '--host', '0.0.0.0', '--port', '0'], env);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^lstm-sweep: refusing to serve the dashboard on 0\.0\.0\.0 without a token: set --token or LSW_DASHBOARD_TOKEN \(or pass --insecure/,
    );
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const bad = await runCli(['dashboard', '--port', 'x'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid option: port/);
  });
});

describe('dashboard API', () => {
  test('every route needs the token: 401 without or with a wrong one, 200 with it', async () => {
    for (const p of ['', 'api/sweeps', `api/sweeps/${sweepA}/leaderboard`, 'queues', 'queues/api/queues', 'app.js']) {
      const none = await fetch(base + p);
      assert.equal(none.status, 401, p);
      const wrong = await fetch(base + p, { headers: { Authorization: 'Bearer wrong-token-123' } });
      assert.equal(wrong.status, 401, p);
      const ok = await fetch(base + p, { headers: auth });
      assert.equal(ok.status, 200, p);
    }
    // ?token= once sets an HttpOnly cookie that then authorizes the page's own requests.
    const login = await fetch(`${base}api/sweeps?token=${TOKEN}`);
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    const withCookie = await fetch(`${base}api/sweeps`, { headers: { Cookie: cookie.split(';')[0]! } });
    assert.equal(withCookie.status, 200);
    // A page opened with ?token= is redirected to the same URL without it.
    const page = await fetch(`${base}?token=${TOKEN}`, { headers: { Accept: 'text/html' }, redirect: 'manual' });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/');
  });

  test('the page is ES modules, served as JavaScript under the same token rules; type declarations are not served', async () => {
    for (const p of ['app.js', 'js/router.js', 'js/format.js', 'js/views/sweep.js', 'js/charts/effects.js']) {
      assert.equal((await fetch(base + p)).status, 401, p);
      const res = await fetch(base + p, { headers: auth });
      assert.equal(res.status, 200, p);
      assert.match(res.headers.get('content-type') ?? '', /^(text|application)\/javascript/, p);
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, p);
    }
    const html = await (await fetch(base, { headers: auth })).text();
    assert.match(html, /<script type="module" src="app\.js"><\/script>/);
    assert.equal((await fetch(`${base}js/format.d.ts`, { headers: auth })).status, 404);
  });

  test('/api/meta serves the vocabulary, with what absent options of a stored config mean', async () => {
    const res = await fetch(`${base}api/meta`, { headers: auth });
    assert.equal(res.status, 200);
    const meta = (await res.json()) as ReturnType<typeof vocabularyJson>;
    const vocabulary = vocabularyJson();
    assert.deepEqual(meta, JSON.parse(JSON.stringify(vocabulary)));
    const absent = Object.fromEntries(meta.parameters.filter((p) => p.absent !== undefined).map((p) => [p.name, p.absent]));
    assert.deepEqual(absent, { ...ABSENT_OPTIONS });
    assert.equal((await fetch(`${base}api/meta`)).status, 401);
  });

  test('sweeps list with state counts and the best trial', async () => {
    const res = await fetch(`${base}api/sweeps`, { headers: auth });
    const { sweeps, skipped } = (await res.json()) as {
      sweeps: Array<{
        sweepId: string;
        counts: Record<string, number>;
        best: { trialId: string } | null;
        swept: string[];
      }>;
      skipped: unknown[];
    };
    assert.deepEqual(skipped, []);
    const a = sweeps.find((s) => s.sweepId === sweepA);
    assert.ok(a, JSON.stringify(sweeps));
    assert.deepEqual(
      { ...a.counts, pruned: undefined },
      { total: 6, waiting: 0, active: 0, completed: 6, failed: 0, cancelled: 0, pruned: undefined },
    );
    assert.deepEqual(a.swept, ['depth', 'width']);
    const lb = JSON.parse((await runCli(['leaderboard', sweepA, '--json'], env)).stdout) as Array<{ trialId: string }>;
    assert.equal(a.best?.trialId, lb[0]!.trialId);
  });

  test('unknown sweep: 404; bad params and queries: 400 with a message', async () => {
    const get = async (p: string) => {
      const res = await fetch(base + p, { headers: auth });
      return { status: res.status, body: (await res.json()) as { error: string } };
    };
    const missing = await get('api/sweeps/no-such-sweep-0123456789');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no sweep "no-such-sweep-0123456789"/);
    assert.equal((await get('api/sweeps/no-such-sweep-0123456789/events')).status, 404);

    const badId = await get('api/sweeps/bad$id');
    assert.equal(badId.status, 400);
    assert.match(badId.body.error, /^invalid path: sweepId: /);
    const badLimit = await get(`api/sweeps/${sweepA}/leaderboard?limit=0`);
    assert.equal(badLimit.status, 400);
    assert.match(badLimit.body.error, /^invalid query: limit: /);
    const badTrials = await get(`api/sweeps/${sweepA}/curves?trials=xyz`);
    assert.equal(badTrials.status, 400);
    assert.match(badTrials.body.error, /trial id is 16 hex digits/);
    const unknownKey = await get('api/sweeps?foo=1');
    assert.equal(unknownKey.status, 400);
    assert.equal((await get('api/nope')).status, 404);
  });

  test('leaderboard and curves', async () => {
    const { rows } = (await (await fetch(`${base}api/sweeps/${sweepA}/leaderboard?limit=2`, { headers: auth })).json()) as {
      rows: Array<{ trialId: string; rank: number }>;
    };
    assert.deepEqual(
      rows.map((r) => r.rank),
      [1, 2],
    );
    const curves = (await (
      await fetch(`${base}api/sweeps/${sweepA}/curves?trials=${rows.map((r) => r.trialId).join(',')}`, { headers: auth })
    ).json()) as Array<{ trialId: string; status: string; history: unknown[] }>;
    assert.deepEqual(
      curves.map((c) => [c.trialId, c.status]),
      rows.map((r) => [r.trialId, 'completed']),
    );
    assert.ok(curves.every((c) => c.history.length >= 1));
  });

  test('server-sent events: ready, then a heartbeat-capable stream', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${base}api/sweeps/${sweepA}/events`, { headers: auth, signal: ctl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    assert.match(new TextDecoder().decode(value), /event: ready\ndata: \{"sweepId":"dash-a-/);
    ctl.abort();
  });
});

describe('dashboard in headless Chromium', { skip: noChromium }, () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the page shows the sweep from Redis: trial count, leaderboard order, charts', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // ?token= logs in (cookie) and redirects; the #fragment survives the redirect.
    await page.goto(`${base}?token=${TOKEN}#/sweeps/${sweepA}`);
    assert.ok(!page.url().includes('token='), page.url());
    await page.waitForSelector('#leaderboard tbody tr');
    assert.equal(await page.textContent('#stat-total'), '6');
    assert.equal(await page.textContent('#stat-completed'), '6');

    const lb = JSON.parse((await runCli(['leaderboard', sweepA, '--json'], env)).stdout) as Array<{ trialId: string }>;
    const shown = await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.trialId));
    assert.deepEqual(
      shown,
      lb.map((r) => r.trialId),
    );

    // Learning curves of the best 3 (checked by default) and one effect plot per swept parameter.
    const checked = await page.$$eval('#leaderboard tbody input:checked', (els) => els.map((e) => (e as HTMLInputElement).dataset.trial));
    assert.deepEqual(
      checked,
      lb.slice(0, 3).map((r) => r.trialId),
    );
    await page.waitForSelector('#curve-valAuc .main-svg .scatterlayer .trace', { state: 'attached' });
    assert.equal(await page.locator('#curve-valAuc .scatterlayer .trace').count(), 3);
    await page.waitForSelector('#scatter-depth .main-svg .scatterlayer .point', { state: 'attached' });
    assert.ok((await page.locator('#scatter-width .scatterlayer .point').count()) >= 6);
    assert.match((await page.textContent('#scatter-depth .xtitle')) ?? '', /depth/);

    // Sorting by a column reorders the rows; unticking a row removes its curve.
    await page.click('#leaderboard th[data-key="width"]');
    const widths = await page.$$eval('#leaderboard tbody tr td:nth-child(5)', (tds) => tds.map((td) => Number(td.textContent)));
    assert.deepEqual(
      widths,
      [...widths].sort((x, y) => x - y),
    );
    await page.uncheck(`#leaderboard input[data-trial="${lb[0]!.trialId}"]`);
    await page.waitForFunction(() => document.querySelectorAll('#curve-valAuc .scatterlayer .trace').length === 2);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a sweep like the demo (residual: [true, false]) has a residual column and effect plot, with the values of the API', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}?token=${TOKEN}#/sweeps/${sweepR}`);
    // Two seeds: the table is by configuration by default; this test reads the rows per trial.
    await page.waitForSelector('#leaderboard tbody tr[data-config-rank]');
    await page.uncheck('#by-config');
    await page.waitForSelector('#leaderboard tbody tr[data-trial-id]');
    type Row = { trialId: string; rank: number; config: Record<string, unknown>; metrics: Record<string, number> };
    const { rows } = (await (await fetch(`${base}api/sweeps/${sweepR}/leaderboard`, { headers: auth })).json()) as { rows: Row[] };
    assert.equal(rows.length, 4);
    // Stored configs leave out residual: true; the page reads it as what it means.
    const residual = (r: Row) => String(r.config.residual ?? true);
    assert.deepEqual(new Set(rows.map(residual)), new Set(['true', 'false']));

    // The leaderboard: a column per varying parameter (residual and seed), in rank order.
    const cells = (key: string) =>
      page.$$eval(
        '#leaderboard tbody tr',
        (trs, k) => trs.map((tr) => [(tr as HTMLElement).dataset.trialId, tr.querySelector(`td[data-param="${k}"]`)?.textContent ?? null]),
        key,
      );
    const keys = await page.$$eval('#leaderboard thead th[data-key]', (ths) => ths.map((th) => (th as HTMLElement).dataset.key));
    assert.deepEqual(keys.slice(0, 4), ['rank', 'trialId', 'residual', 'seed']);
    assert.equal(await page.textContent('#leaderboard th[data-key="residual"]'), 'residual');
    assert.deepEqual(
      await cells('residual'),
      rows.map((r) => [r.trialId, residual(r)]),
    );
    assert.deepEqual(
      await cells('seed'),
      rows.map((r) => [r.trialId, String(r.config.seed)]),
    );
    // The swept summary names them with the spec's values; the rest are fixed, absent options included.
    assert.match((await page.textContent('#sweep-params [data-param="residual"]')) ?? '', /^residual true, false$/);
    assert.match(
      (await page.textContent('#sweep-params')) ?? '',
      /fixed: depth 1 · width 32 · .*input projection true · class weight none · clip norm 1/,
    );

    // The residual effect plot: a categorical axis, each trial's point at its value and metric.
    await page.waitForSelector('#scatter-residual .main-svg .scatterlayer .point', { state: 'attached' });
    assert.equal((await page.locator('#scatter-residual .scatterlayer .trace:not(:first-child) .point').count()) >= 4, true);
    assert.match((await page.textContent('#scatter-residual .xtitle')) ?? '', /^residual$/);
    assert.deepEqual(await page.$$eval('#scatter-residual .xtick text', (ts) => ts.map((t) => t.textContent)), ['false', 'true']);
    const points = await page.evaluate(() => {
      const gd = document.getElementById('scatter-residual') as unknown as {
        data: Array<{ name: string; x: number[]; y: number[]; customdata: [string, string][] }>;
        layout: { xaxis: { ticktext: string[] } };
      };
      const trials = gd.data.find((t) => t.name === 'trials')!;
      return trials.customdata.map(([trialId], i) => [trialId, gd.layout.xaxis.ticktext[Math.round(trials.x[i]!)], trials.y[i]]);
    });
    const byId = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    assert.deepEqual(points.sort(byId), rows.map((r) => [r.trialId, residual(r), r.metrics.valAuc]).sort(byId));
    assert.ok(await page.locator('#scatter-seed .scatterlayer .point').count());
    assert.equal(await page.locator('#scatter-depth').count(), 0, 'no plot for a parameter that does not vary');

    // "all parameters": a column for every one, absent options as what they mean.
    await page.check('#all-params');
    const all = await page.$$eval('#leaderboard thead th[data-key]', (ths) => ths.map((th) => (th as HTMLElement).dataset.key));
    for (const p of [...vocabularyJson().parameters.map((x) => x.name), 'seed']) assert.ok(all.includes(p), p);
    assert.deepEqual(
      await cells('inputProjection'),
      rows.map((r) => [r.trialId, 'true']),
    );
    assert.deepEqual(
      await cells('classWeight'),
      rows.map((r) => [r.trialId, String(r.config.classWeight ?? ABSENT_OPTIONS.classWeight)]),
    );
    assert.deepEqual(
      await cells('clipNorm'),
      rows.map((r) => [r.trialId, String(r.config.clipNorm ?? ABSENT_OPTIONS.clipNorm)]),
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('trials finishing while the page is open appear without a reload', async () => {
    sweepB = await enqueue(await writeSpec('dash-b', [1, 2, 3, 4, 5], [4]));
    const page = await browser.newPage();
    await page.goto(`${base}?token=${TOKEN}#/sweeps/${sweepB}`);
    await page.waitForSelector('#stat-total');
    assert.equal(await page.textContent('#stat-total'), '5');
    assert.equal(await page.locator('#leaderboard tbody tr').count(), 0);
    await page.waitForSelector('#live[data-state="on"]');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    const worker = spawnCli(['worker'], env);
    try {
      await page.waitForFunction(() => document.querySelectorAll('#leaderboard tbody tr').length === 5, undefined, { timeout: 30_000 });
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
    assert.equal(await page.evaluate(() => (window as unknown as { marker: number }).marker), 42, 'the page was reloaded');
    await page.waitForFunction(() => document.querySelector('#stat-completed')?.textContent === '5');
    const lb = JSON.parse((await runCli(['leaderboard', sweepB, '--json'], env)).stdout) as Array<{ trialId: string }>;
    const shown = await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.trialId));
    assert.deepEqual(
      shown,
      lb.map((r) => r.trialId),
    );
    await page.close();
  });
});
