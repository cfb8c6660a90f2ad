/**
 * The dashboard's "Paired comparisons" panel through real parts: a real trained sweep (residual
 * on/off × depth 1/2 × 2 seeds, test/dashboard-fixture.ts), the built CLI serving the dashboard,
 * headless Chromium. The panel shows what GET /api/sweeps/:id/compare serves, and that is what
 * `lstm-sweep compare --json` prints.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import type { PairedComparison } from '../../src/analysis/paired.js';
import {
  tearDown,
  launchBrowser,
  noChromium,
  openPage,
  startDashboard,
  trainRealSweep,
  type RunningDashboard,
} from '../dashboard-fixture.js';
import { REDIS_URL, runCli, uniquePrefix } from '../helpers.js';

const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '' };
let redis: Redis;
let dir: string;
let sweepId: string;
let dashboard: RunningDashboard | undefined;
let browser: Browser | undefined;

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-dash-compare-'));
  sweepId = await trainRealSweep(dir, env, 'dash-compare');
  dashboard = await startDashboard(env);
  if (!noChromium) browser = await launchBrowser();
});

after(() => tearDown({ browser, dashboard, redis, prefix, dir }));

const api = (by: string) => dashboard!.get<PairedComparison>(`api/sweeps/${sweepId}/compare?by=${by}`);

async function cliJson(by: string): Promise<unknown> {
  const r = await runCli(['compare', sweepId, '--by', by, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** What the panel shows: its picked parameter, its sentences, and the plotted pairs and means. */
async function panel(page: Page) {
  const by = await page.$eval('#compare-by', (s) => (s as HTMLSelectElement).value);
  const options = await page.$$eval('#compare-by option', (os) => os.map((o) => (o as HTMLOptionElement).value));
  const sentences = await page.$$eval('#compare-sentences .compare-sentence', (ps) => ps.map((p) => p.textContent));
  const plotted = await page.evaluate(() => {
    const gd = document.getElementById('compare-plot') as unknown as {
      data: { meta: { kind: string; value: unknown }; x: number[]; error_x?: { array: number[] } }[];
      layout: { shapes: { x0: number; x1: number }[] };
    };
    return {
      pairs: gd.data.filter((t) => t.meta.kind === 'pairs').map((t) => [t.meta.value, t.x]),
      means: gd.data.filter((t) => t.meta.kind === 'mean').map((t) => [t.meta.value, t.x[0], t.error_x!.array[0]]),
      zero: gd.layout.shapes.some((s) => s.x0 === 0 && s.x1 === 0),
    };
  });
  return { by, options, sentences, ...plotted };
}

/** What the panel should show for an API answer. */
function expected(r: PairedComparison) {
  return {
    by: r.by,
    options: r.parameters,
    sentences: r.comparisons.map((c) => c.sentence),
    pairs: r.comparisons.map((c) => [c.value, c.pairs.map((p) => p.metric.diff)]),
    means: r.comparisons.map((c) => [c.value, c.summary.metric!.mean, c.summary.metric!.halfWidth]),
    zero: true,
  };
}

describe('paired comparisons: API and CLI', () => {
  test('the API serves what `lstm-sweep compare --json` prints: 4 pairs for residual, 4 for depth', async () => {
    for (const by of ['residual', 'depth']) {
      const r = await api(by);
      assert.deepEqual(r, await cliJson(by), `by ${by}`);
      assert.equal(r.comparisons.length, 1);
      assert.equal(r.comparisons[0]!.pairs.length, 4, `4 pairs by ${by}`);
      assert.equal(r.comparisons[0]!.summary.metric!.n, 4);
      assert.equal(r.comparisons[0]!.summary.testAcc!.n, 4, 'the sweep has a test file: test accuracy too');
    }
    const residual = await api('residual');
    assert.equal(residual.reference, false);
    assert.match(
      residual.comparisons[0]!.sentence,
      /^residual (helps|hurts|makes no difference to) validation ROC AUC by .* on 4 pairs \(95% interval, t/,
    );
  });

  test('bad queries: 400 naming the valid parameters, 404 for an unknown sweep', async () => {
    const get = (p: string) => fetch(dashboard!.base + p, { headers: dashboard!.auth });
    const width = await get(`api/sweeps/${sweepId}/compare?by=width`);
    assert.equal(width.status, 400);
    assert.match(((await width.json()) as { error: string }).error, /not a parameter this sweep varies; valid: depth, residual/);
    const ref = await get(`api/sweeps/${sweepId}/compare?by=depth&ref=5`);
    assert.equal(ref.status, 400);
    assert.match(((await ref.json()) as { error: string }).error, /depth takes 1, 2 in this sweep, not 5/);
    assert.equal((await get(`api/sweeps/${sweepId}/compare?by=depth&color=red`)).status, 400);
    assert.equal((await get('api/sweeps/no-such-0123456789/compare?by=depth')).status, 404);
    assert.equal((await get('api/sweeps/not-an-id/compare?by=depth')).status, 400);
  });
});

describe('paired comparisons: the dashboard panel', { skip: noChromium }, () => {
  test('shows the API’s sentence and per-pair differences; the picker switches the parameter', async () => {
    const { page, errors } = await openPage(browser!, `${dashboard!.base}#/sweeps/${sweepId}`);
    await page.waitForSelector('#compare-sentences .compare-sentence');
    await page.waitForSelector('#compare-plot .main-svg', { state: 'attached' });
    assert.deepEqual(await panel(page), expected(await api('residual')), 'residual by default');

    const depth = await api('depth');
    await page.selectOption('#compare-by', 'depth');
    await page.waitForFunction(
      (s) => document.querySelector('#compare-sentences .compare-sentence')?.textContent === s,
      depth.comparisons[0]!.sentence,
    );
    assert.deepEqual(await panel(page), expected(depth));
    assert.match((await page.textContent('#compare-note')) ?? '', /over 8 finished trials/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
