/**
 * The dashboard's leaderboard by configuration and the baseline as a reference (issue #13, points
 * 1 and 5), through real parts: a real cross-validated 8-trial sweep with 2 seeds and its MiniRocket
 * baseline (test/dashboard-fixture.ts), the built CLI serving the dashboard, headless Chromium.
 * What the page shows is checked against the API and the CLI's JSON.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { vocabularyJson } from '../../src/definition/vocabulary.js';
import { fmtConfigValue, fmtMetric } from '../../src/dashboard/public/js/format.js';
import { createVocabulary } from '../../src/dashboard/public/js/vocabulary.js';
import {
  tearDown,
  enqueue,
  launchBrowser,
  noChromium,
  openPage,
  startDashboard,
  trainRealSweep,
  writeSpec,
  type RunningDashboard,
} from '../dashboard-fixture.js';
import { REDIS_URL, runCli, uniquePrefix } from '../helpers.js';

const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '' };
const vocab = createVocabulary(vocabularyJson());

interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
}
interface ConfigRow {
  kind: 'config';
  rank: number;
  config: Record<string, unknown>;
  seeds: number[];
  trialIds: string[];
  metric: Spread;
  testAcc?: Spread;
  ensembleTestAcc?: number;
}
interface Baseline {
  kind: 'baseline';
  method: string;
  state: string;
  metrics: Record<string, number>;
}
interface ConfigsPage {
  total: number;
  offset: number;
  limit: number;
  rows: ConfigRow[];
  nextOffset: number | null;
  baseline: Baseline | null;
}

let redis: Redis;
let dir: string;
let dashboard: RunningDashboard;
let browser: Browser;
let sweepId: string;
/** `leaderboard --by-config --json`: the baseline first, then the configurations */
let cliGroups: ConfigRow[];
let cliBaseline: Baseline;

async function cliJson<T>(args: string[]): Promise<T> {
  const r = await runCli(args, env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/**
 * What the leaderboard's rows show: per row, its rank, trials and cells by column key. (A string:
 * tsx would wrap named helpers in the page function with `__name`, which the page does not have.)
 */
const TABLE_ROWS = `[...document.querySelectorAll('#leaderboard tbody tr:not(.ref)')].map((tr) => {
  const cell = (key, part) => {
    const td = tr.querySelector('td[data-key="' + key + '"]');
    const el = td && part ? td.querySelector(part) : td;
    return el ? el.textContent.trim() : null;
  };
  return {
    rank: tr.dataset.configRank ?? null,
    trialId: tr.dataset.trialId ?? null,
    trials: tr.dataset.trials ?? null,
    params: Object.fromEntries([...tr.querySelectorAll('td[data-param]')].map((td) => [td.dataset.param, td.textContent])),
    seeds: cell('seeds'),
    mean: cell('metric', '.mean'),
    sd: cell('metric', '.sd'),
    min: cell('metricMin'),
    max: cell('metricMax'),
    testAcc: cell('testAcc', '.mean'),
    testAccSd: cell('testAcc', '.sd'),
    ensemble: cell('ensembleTestAcc'),
  };
})`;

interface ShownRow {
  rank: string | null;
  trialId: string | null;
  trials: string | null;
  params: Record<string, string>;
  seeds: string | null;
  mean: string | null;
  sd: string | null;
  min: string | null;
  max: string | null;
  testAcc: string | null;
  testAccSd: string | null;
  ensemble: string | null;
}

function tableRows(page: Page): Promise<ShownRow[]> {
  return page.evaluate(TABLE_ROWS) as Promise<ShownRow[]>;
}

/** The reference row: its place, label and cells by column key (one evaluation: live refreshes redraw the table). */
const REFERENCE_ROW = `(() => {
  const tr = document.querySelector('#leaderboard tbody tr.ref');
  if (!tr) return null;
  return {
    first: tr === tr.parentElement.firstElementChild,
    state: tr.dataset.state,
    marker: tr.querySelector('.badge.ref')?.textContent ?? null,
    label: tr.querySelector('.ref-label')?.textContent ?? null,
    cells: Object.fromEntries([...tr.querySelectorAll('td[data-key]')].map((td) => [td.dataset.key, td.textContent.trim()])),
  };
})()`;

interface ShownReference {
  first: boolean;
  state: string;
  marker: string | null;
  label: string | null;
  cells: Record<string, string>;
}

async function referenceRow(page: Page): Promise<ShownReference> {
  const ref = (await page.evaluate(REFERENCE_ROW)) as ShownReference | null;
  assert.ok(ref, 'no reference row');
  return ref;
}

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-dash-config-'));
  sweepId = await trainRealSweep(dir, env);
  const printed = await cliJson<Array<ConfigRow | Baseline>>(['leaderboard', sweepId, '--by-config', '--json']);
  cliBaseline = printed[0] as Baseline;
  assert.equal(cliBaseline.kind, 'baseline', JSON.stringify(printed[0]));
  cliGroups = printed.slice(1) as ConfigRow[];
  dashboard = await startDashboard(env);
});

after(() => tearDown({ browser, dashboard, redis, prefix, dir }));

describe('GET /api/sweeps/:id/configs', () => {
  test('serves the groups of `leaderboard --by-config --json`, in its order, paged, with the baseline', async () => {
    const page = await dashboard.get<ConfigsPage>(`api/sweeps/${sweepId}/configs`);
    // 2 × 2 configurations of 2 seeds each, every one with test accuracy and its seed ensemble.
    assert.equal(cliGroups.length, 4);
    assert.deepEqual(page.rows, cliGroups);
    assert.deepEqual(
      { total: page.total, offset: page.offset, limit: page.limit, nextOffset: page.nextOffset },
      { total: 4, offset: 0, limit: 100, nextOffset: null },
    );
    for (const g of page.rows) {
      assert.deepEqual([...g.seeds].sort(), [0, 1]);
      assert.ok(g.metric.min <= g.metric.mean && g.metric.mean <= g.metric.max, JSON.stringify(g));
      assert.ok(g.testAcc && typeof g.ensembleTestAcc === 'number', JSON.stringify(g));
    }
    const leaderboard = await dashboard.get<{ baseline: Baseline }>(`api/sweeps/${sweepId}/leaderboard`);
    assert.deepEqual(page.baseline, leaderboard.baseline);
    assert.equal(page.baseline?.state, 'done');
    assert.deepEqual(page.baseline?.metrics, cliBaseline.metrics);

    const second = await dashboard.get<ConfigsPage>(`api/sweeps/${sweepId}/configs?limit=3&offset=1`);
    assert.deepEqual(second.rows, cliGroups.slice(1, 4));
    assert.equal(second.nextOffset, null);
    const first = await dashboard.get<ConfigsPage>(`api/sweeps/${sweepId}/configs?limit=1`);
    assert.deepEqual([first.rows.map((r) => r.rank), first.nextOffset], [[1], 1]);
  });

  test('bad queries: 400 naming the field; an unknown sweep: 404', async () => {
    for (const [q, field] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['offset=-1', 'offset'],
      ['by=seed', 'by'],
    ]) {
      const res = await fetch(`${dashboard.base}api/sweeps/${sweepId}/configs?${q}`);
      assert.equal(res.status, 400, q);
      assert.match(((await res.json()) as { error: string }).error, new RegExp(`^invalid query: .*${field}`), q);
    }
    const missing = await fetch(`${dashboard.base}api/sweeps/no-such-sweep-0123456789/configs`);
    assert.equal(missing.status, 404);
  });
});

describe('leaderboard by configuration, baseline as reference, in headless Chromium', { skip: noChromium }, () => {
  before(async () => {
    browser = await launchBrowser();
  });

  test('by configuration by default (2 seeds): the CLI groups in its order, the baseline on top', async () => {
    const { page, errors } = await openPage(browser, `${dashboard.base}#/sweeps/${sweepId}`);
    await page.waitForSelector('#leaderboard tbody tr[data-config-rank]');
    assert.equal(await page.isChecked('#by-config'), true);

    // Columns: the parameters that vary but the seed (labels from the vocabulary), then the spread.
    const keys = await page.$$eval('#leaderboard thead th[data-key]', (ths) => ths.map((th) => (th as HTMLElement).dataset.key));
    assert.deepEqual(keys, ['rank', 'depth', 'residual', 'seeds', 'metric', 'metricMin', 'metricMax', 'testAcc', 'ensembleTestAcc']);
    for (const name of ['depth', 'residual']) {
      assert.equal(await page.textContent(`#leaderboard th[data-key="${name}"]`), vocab.param(name).label);
    }

    const expected = cliGroups.map((g) => ({
      rank: String(g.rank),
      trialId: null,
      trials: g.trialIds.join(','),
      params: Object.fromEntries(['depth', 'residual'].map((name) => [name, fmtConfigValue(g.config, vocab.param(name))])),
      seeds: String(g.seeds.length),
      mean: fmtMetric(g.metric.mean),
      sd: `± ${fmtMetric(g.metric.std)}`,
      min: fmtMetric(g.metric.min),
      max: fmtMetric(g.metric.max),
      testAcc: fmtMetric(g.testAcc?.mean),
      testAccSd: `± ${fmtMetric(g.testAcc?.std)}`,
      ensemble: fmtMetric(g.ensembleTestAcc),
    }));
    assert.deepEqual(await tableRows(page), expected);
    // residual true and false both shown (a stored config leaves out residual: true).
    assert.deepEqual(new Set(expected.map((r) => r.params.residual)), new Set(['true', 'false']));

    // The reference row: first, marked, labelled, with the API's baseline values.
    const baseline = cliBaseline.metrics;
    assert.deepEqual(await referenceRow(page), {
      first: true,
      state: 'done',
      marker: 'ref',
      label: 'MiniRocket baseline',
      cells: {
        metric: fmtMetric(baseline.valAuc),
        metricMin: '',
        metricMax: '',
        testAcc: fmtMetric(baseline.testAcc),
        ensembleTestAcc: '',
      },
    });
    assert.equal(await page.textContent('#stat-baseline'), fmtMetric(baseline.valAuc));

    // Sorting by a header works by configuration too; the reference row stays on top.
    await page.click('#leaderboard th[data-key="metricMin"]');
    const mins = (await tableRows(page)).map((r) => Number(r.min));
    assert.deepEqual(
      mins,
      [...cliGroups.map((g) => Number(fmtMetric(g.metric.min)))].sort((a, b) => a - b),
    );
    assert.equal((await referenceRow(page)).first, true);

    // Ticking a configuration plots the curves of its seeds' trials.
    await page.click('#select-none');
    await page.check(`#leaderboard input[data-trials="${cliGroups[0]!.trialIds.join(',')}"]`);
    // (one legend group per trial: a cross-validated trial draws its folds with its mean line)
    await page.waitForFunction(() => {
      const gd = document.getElementById('curve-valAuc') as unknown as { data?: Array<{ legendgroup?: string }> };
      return new Set((gd.data ?? []).map((t) => String(t.legendgroup).split(':')[0])).size === 2;
    });
    assert.equal(await page.isChecked(`#leaderboard input[data-trials="${cliGroups[0]!.trialIds.join(',')}"]`), true);

    // Off: a row per trial in the order of `leaderboard --json`, the reference row with every metric column.
    await page.uncheck('#by-config');
    await page.waitForSelector('#leaderboard tbody tr[data-trial-id]');
    const trials = (await cliJson<Array<{ kind: string; trialId: string }>>(['leaderboard', sweepId, '--json'])).filter(
      (r) => r.kind === 'trial',
    );
    await page.click('#leaderboard th[data-key="rank"]');
    const order = await page.$$eval('#leaderboard tbody tr:not(.ref)', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.trialId));
    assert.deepEqual(
      order,
      trials.map((r) => r.trialId),
    );
    const ref = await referenceRow(page);
    assert.equal(ref.first, true);
    assert.equal(ref.label, 'MiniRocket baseline');
    assert.equal(ref.cells.metric, fmtMetric(baseline.valAuc));
    const metricKeys = await page.$$eval('#leaderboard thead th[data-key]', (ths) =>
      ths.map((th) => (th as HTMLElement).dataset.key!).filter((k) => k !== 'metric'),
    );
    for (const m of vocab.metrics.filter((x) => x.name !== 'valAuc' && metricKeys.includes(x.name))) {
      assert.equal(ref.cells[m.name], fmtMetric(baseline[m.name]), m.name);
    }
    assert.ok(metricKeys.includes('testAcc'), metricKeys.join(','));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("every effect scatter plot has the baseline's value of the metric as a labelled reference line", async () => {
    const { page, errors } = await openPage(browser, `${dashboard.base}#/sweeps/${sweepId}`);
    await page.waitForSelector('#scatter .chart .main-svg .scatterlayer .point', { state: 'attached' });
    const plots = await page.$$eval('#scatter .chart', (els) =>
      els.map((el) => {
        const gd = el as unknown as {
          layout: {
            shapes?: Array<{ type: string; y0: number; y1: number; xref: string }>;
            annotations?: Array<{ y: number; text: string }>;
          };
        };
        return { param: (el as HTMLElement).dataset.param, shapes: gd.layout.shapes ?? [], annotations: gd.layout.annotations ?? [] };
      }),
    );
    // A plot per parameter that varies (seed included).
    assert.deepEqual(plots.map((p) => p.param).sort(), ['depth', 'residual', 'seed']);
    const value = cliBaseline.metrics.valAuc!;
    for (const p of plots) {
      assert.deepEqual(
        p.shapes.map((s) => [s.type, s.xref, s.y0, s.y1]),
        [['line', 'paper', value, value]],
        p.param,
      );
      assert.deepEqual(
        p.annotations.map((a) => [a.y, a.text]),
        [[value, `MiniRocket baseline ${value.toFixed(4)}`]],
        p.param,
      );
    }
    // The line is drawn inside the plot (its y axis reaches the baseline's value).
    const inRange = await page.$$eval('#scatter .chart', (els) =>
      els.map((el) => (el as unknown as { _fullLayout: { yaxis: { range: [number, number] } } })._fullLayout.yaxis.range),
    );
    for (const [lo, hi] of inRange) assert.ok(lo <= value && value <= hi, `${lo} ≤ ${value} ≤ ${hi}`);
    assert.equal(await page.locator('#scatter .shapelayer path').count(), plots.length);
    // The parallel coordinates: the metric's axis reaches the baseline's value and labels it.
    const metricAxis = await page.evaluate(
      `(() => { const gd = document.getElementById('parcoords'); return gd.data ? gd.data[0].dimensions.at(-1) : gd.textContent; })()`,
    );
    const axis = metricAxis as { range: [number, number]; tickvals: number[]; ticktext: string[] };
    assert.equal(typeof axis, 'object', String(metricAxis));
    assert.ok(axis.range[0] <= value && value <= axis.range[1], JSON.stringify(axis.range));
    assert.equal(axis.ticktext[axis.tickvals.indexOf(value)], `◀ MiniRocket baseline ${value.toFixed(4)}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a baseline not done yet shows its state in the reference row, and no line', async () => {
    // The same spec enqueued again, with no worker: its trials wait, its baseline is queued.
    const spec = await writeSpec(dir, 'dash-queued', [
      'method: grid',
      'parameters:',
      '  depth: [1, 2]',
      '  width: [4]',
      '  epochs: [2]',
      'seeds: [0, 1]',
      'baseline: minirocket',
    ]);
    const queued = await enqueue(spec, env);
    const api = await dashboard.get<ConfigsPage>(`api/sweeps/${queued}/configs`);
    assert.deepEqual([api.rows, api.baseline?.state], [[], 'queued']);
    const { page, errors } = await openPage(browser, `${dashboard.base}#/sweeps/${queued}`);
    await page.waitForSelector('#leaderboard tbody tr.ref');
    assert.equal(await page.isChecked('#by-config'), true);
    const ref = await referenceRow(page);
    assert.deepEqual(ref, { first: true, state: 'queued', marker: 'ref', label: 'MiniRocket baseline: queued', cells: {} });
    assert.equal(await page.textContent('#stat-baseline'), 'queued');
    assert.equal(await page.locator('#scatter .shapelayer path').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
