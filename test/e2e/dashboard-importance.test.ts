/**
 * "Which hyperparameters matter" (#13.4) through real parts: a dry-run random search whose valLoss
 * is the mixed10 test function of its configuration (src/search/objectives.ts: the learning rate's
 * term dominates under random sampling) trained by a real worker, the built CLI serving the
 * dashboard, headless Chromium. The API ranks the learning rate first; the page's bars are the
 * API's numbers in the API's order, labelled from the vocabulary. The shared real 8-trial sweep
 * is too small: its page shows the API's "too few trials" note and no bars.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import type { ImportanceReport } from '../../src/analysis/importance.js';
import { parameterInfo } from '../../src/definition/vocabulary.js';
import {
  tearDown,
  enqueue,
  launchBrowser,
  noChromium,
  openPage,
  startDashboard,
  trainAll,
  trainRealSweep,
  writeSpec,
  type RunningDashboard,
} from '../dashboard-fixture.js';
import { REDIS_URL, uniquePrefix } from '../helpers.js';

const TRIALS = 80;
const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '', LSW_DASHBOARD_TOKEN: '' };

let redis: Redis;
let dir: string;
let browser: Browser;
let dashboard: RunningDashboard;
let searchId: string;
let smallId: string;

/** What the page's importance chart holds: Plotly's data of its bar trace, or null with no bars. */
async function shownBars(page: import('playwright-core').Page): Promise<{ x: number[]; y: string[] } | null> {
  return page.evaluate(() => {
    const el = document.querySelector('#importance-chart') as (HTMLElement & { data?: { x: number[]; y: string[] }[] }) | null;
    const trace = el?.data?.[0];
    return trace ? { x: [...trace.x], y: [...trace.y] } : null;
  });
}

describe('dashboard: which hyperparameters matter', { skip: noChromium }, () => {
  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-importance-'));
    smallId = await trainRealSweep(dir, env, 'imp-small');
    // The ten dimensions of mixed10, each range equal to its dimension (so a value maps onto itself).
    const spec = await writeSpec(dir, 'imp-search', [
      'method: random',
      `count: ${TRIALS}`,
      'samplerSeed: 3',
      'metric: { name: valLoss, goal: minimize }',
      'dryRun: { objective: mixed10 }',
      'parameters:',
      '  depth: { min: 1, max: 6 }',
      '  width: { min: 8, max: 256, log: true }',
      '  dropout: { min: 0, max: 0.5 }',
      '  recurrentDropout: { min: 0, max: 0.5 }',
      '  learningRate: { min: 0.0001, max: 0.1, log: true }',
      '  batchSize: { min: 8, max: 256, log: true }',
      '  patch: { min: 1, max: 16 }',
      '  head: [dense, lstm]',
      '  residual: [true, false]',
      '  lrSchedule: [none, plateau, cosine]',
    ]);
    searchId = await enqueue(spec, env);
    await trainAll(searchId, env);
    dashboard = await startDashboard(env);
    browser = await launchBrowser();
  });

  after(() => tearDown({ browser, dashboard, redis, prefix, dir }));

  test('the API ranks the parameters of a search: the learning rate first, importances summing to 1, the same on every call', async () => {
    const report = await dashboard.get<ImportanceReport>(`api/sweeps/${searchId}/importance`);
    assert.equal(report.note, undefined, report.note);
    assert.equal(report.trials, TRIALS);
    assert.equal(report.used, TRIALS);
    assert.deepEqual(report.metric, { name: 'valLoss', goal: 'minimize' });
    assert.match(report.method, /random-forest permutation/);
    assert.deepEqual(report.parameters.map((p) => p.name).sort(), [
      'batchSize',
      'depth',
      'dropout',
      'head',
      'learningRate',
      'lrSchedule',
      'patch',
      'recurrentDropout',
      'residual',
      'width',
    ]);
    assert.equal(report.parameters[0]!.name, 'learningRate', JSON.stringify(report.parameters));
    assert.ok(report.parameters[0]!.importance > 0.4, JSON.stringify(report.parameters));
    const sum = report.parameters.reduce((s, p) => s + p.importance, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `sum ${sum}`);
    for (let i = 1; i < report.parameters.length; i++) assert.ok(report.parameters[i - 1]!.importance >= report.parameters[i]!.importance);
    // Named choices have no correlation; numbers and booleans have one in [-1, 1].
    for (const p of report.parameters) {
      if (parameterInfo(p.name)?.kind === 'categorical') assert.equal(p.correlation, null, p.name);
      else assert.ok(p.correlation !== null && Math.abs(p.correlation) <= 1, `${p.name}: ${p.correlation}`);
    }
    assert.ok(report.r2 !== null && report.r2 > 0, `R^2 ${report.r2}`);
    // Seeded: asking again (another metric on the way, so the server's memo is not what answers) gives the same.
    await dashboard.get(`api/sweeps/${searchId}/importance?metric=valAcc`);
    assert.deepEqual(await dashboard.get(`api/sweeps/${searchId}/importance`), report);
  });

  test('bad input: an unknown metric or query field is a 400, an unknown sweep a 404', async () => {
    for (const [q, status, pattern] of [
      [`sweeps/${searchId}/importance?metric=accuracy`, 400, /metric/],
      [`sweeps/${searchId}/importance?trees=9`, 400, /trees/],
      ['sweeps/nope-0000000000/importance', 404, /no sweep/],
    ] as const) {
      const res = await fetch(`${dashboard.base}api/${q}`);
      assert.equal(res.status, status, q);
      assert.match(((await res.json()) as { error: string }).error, pattern);
    }
  });

  test('the page draws the API bars: the same numbers, the same order, labels from the vocabulary', async () => {
    const report = await dashboard.get<ImportanceReport>(`api/sweeps/${searchId}/importance`);
    const { page, errors } = await openPage(browser, `${dashboard.base}#/sweeps/${searchId}`);
    await page.waitForSelector('#importance-chart .main-svg .barlayer .point', { state: 'attached' });
    const bars = await shownBars(page);
    assert.ok(bars);
    assert.deepEqual(
      bars.y,
      report.parameters.map((p) => parameterInfo(p.name)!.label),
    );
    assert.deepEqual(
      bars.x,
      report.parameters.map((p) => p.importance),
    );
    assert.equal(await page.locator('#importance-chart .barlayer .point').count(), report.parameters.length);
    // The top bar is drawn highest: its y position is the smallest.
    const tops = await page.evaluate(() =>
      [...document.querySelectorAll('#importance-chart .ytick text')].map((t) => [t.textContent, t.getBoundingClientRect().top] as const),
    );
    const topLabel = [...tops].sort((a, b) => a[1] - b[1])[0]![0];
    assert.equal(topLabel, 'learning rate');
    assert.match(await page.locator('#importance-hint').innerText(), new RegExp(`over ${TRIALS} of ${TRIALS} finished trials`));
    assert.equal(await page.locator('#importance-note').innerText(), '');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a sweep of 8 trials: the page shows the API note and no bars', async () => {
    const report = await dashboard.get<ImportanceReport>(`api/sweeps/${smallId}/importance`);
    assert.deepEqual(report.parameters, []);
    assert.equal(report.trials, 8);
    assert.match(report.note ?? '', /^8 finished trials: importance needs at least 10 to mean anything/);
    const { page, errors } = await openPage(browser, `${dashboard.base}#/sweeps/${smallId}`);
    await page.waitForSelector('#importance-empty');
    assert.equal(await page.locator('#importance-empty').innerText(), report.note);
    assert.equal(await shownBars(page), null);
    assert.equal(await page.locator('#importance-chart .barlayer .point').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
