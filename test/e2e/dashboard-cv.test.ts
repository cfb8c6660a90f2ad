/**
 * Cross-validation made visible, through real parts: a real 3-fold cross-validated sweep trained by
 * a real worker (test/dashboard-fixture.ts), the built CLI serving the dashboard, headless Chromium.
 * The page's metric cells carry the fold spread, a selected trial's charts its folds, their mean,
 * its refit and its epoch budget, and a trial caught mid-training says which fold it is on, in
 * the dashboard and in the CLI's progress line (`watchSweep`, the demo's).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { watchSweep } from '../../src/cli/sweep-progress.js';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { TrialProgressSchema } from '../../src/queue/trial-job.js';
import { createTrialQueue } from '../../src/queue/trial-queue.js';
import type { EpochMetrics, LeaderboardRow } from '../../src/store/records.js';
import { SweepStore } from '../../src/store/sweep-store.js';
import {
  tearDown,
  enqueue,
  launchBrowser,
  noChromium,
  openPage,
  showTrialRows,
  startDashboard,
  trainRealSweep,
  writeSpec,
  type RunningDashboard,
} from '../dashboard-fixture.js';
import { REDIS_URL, childPids, exited, isAlive, spawnCli, uniquePrefix, waitFor } from '../helpers.js';

const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '', LSW_DASHBOARD_TOKEN: '' };

interface Curves {
  trialId: string;
  history: EpochMetrics[];
  cv?: { folds: number; epoch: number; foldHistories?: EpochMetrics[][]; refitHistory?: EpochMetrics[] };
}
interface Trace {
  name: string;
  x: number[];
  y: (number | null)[];
}
interface Active {
  trialId: string;
  epoch: number;
  progress?: string;
  phase?: { kind: string; fold?: number; folds?: number };
}

/** The Plotly traces, shapes and annotations drawn in a chart. */
function chart(page: Page, id: string) {
  return page.evaluate((chartId) => {
    const el = document.getElementById(chartId) as unknown as {
      data?: Trace[];
      layout?: { shapes?: { x0: number; x1: number }[]; annotations?: { text: string; x: number }[] };
    };
    return {
      traces: (el.data ?? []).map((t) => ({ name: t.name, x: [...t.x], y: [...t.y] })),
      shapes: el.layout?.shapes ?? [],
      annotations: (el.layout?.annotations ?? []).map((a) => ({ text: a.text, x: a.x })),
    };
  }, id);
}

const near = (a: number | null | undefined, b: number | undefined) => (a === null || a === undefined ? Number.NaN : a) - (b ?? Number.NaN);

describe('dashboard: cross-validation made visible', { skip: noChromium }, () => {
  let redis: Redis;
  let dir: string;
  let sweepId: string;
  let dashboard: RunningDashboard;
  let browser: Browser;

  before(async () => {
    redis = new Redis(REDIS_URL);
    dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-dash-cv-'));
    sweepId = await trainRealSweep(dir, env, 'dash-cv');
    dashboard = await startDashboard(env);
    browser = await launchBrowser();
  });

  after(() => tearDown({ browser, dashboard, redis, prefix, dir }));

  test('validation metric cells: the fold mean ± the sd over the folds, as the API says', async () => {
    const { rows } = await dashboard.get<{ rows: LeaderboardRow[] }>(`api/sweeps/${sweepId}/leaderboard`);
    assert.equal(rows.length, 8);
    const { page, errors } = await openPage(browser, `${dashboard.base}#/sweeps/${sweepId}`);
    await showTrialRows(page, rows.length);
    // column index per metric name (a metric column's header title is its name)
    const titles = await page.locator('#leaderboard thead th').evaluateAll((ths) => ths.map((th) => th.getAttribute('title') ?? ''));
    const column = (name: string) => titles.findIndex((t) => t === `${name} · sort`);
    const texts = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('#leaderboard tbody tr')].map((tr) => [
          tr.getAttribute('data-trial-id'),
          [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
        ]),
      ),
    );
    let checked = 0;
    for (const r of rows) {
      assert.equal(r.cv?.folds, 3);
      const cells = texts[r.trialId]!;
      for (const name of ['valAuc', 'valLoss', 'valAcc', 'valBalancedAcc'] as const) {
        const i = column(name);
        if (i < 0) continue;
        const sd: number = r.cv!.std[name];
        assert.equal(cells[i]!.trim(), `${r.metrics[name]!.toFixed(4)} ± ${sd.toFixed(4)}`, `${r.trialId} ${name}`);
        checked++;
      }
      // test figures come from the refit alone: no spread
      const testAcc = column('testAcc');
      assert.ok(testAcc >= 0, 'the sweep has a test file');
      assert.equal(cells[testAcc]!.trim(), r.metrics.testAcc!.toFixed(4));
    }
    assert.ok(checked >= 8 * 3, `validation cells checked: ${checked}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a selected trial: 3 fold curves, their mean, the refit and the budget marker at cv.epoch', async () => {
    const { rows } = await dashboard.get<{ rows: LeaderboardRow[] }>(`api/sweeps/${sweepId}/leaderboard`);
    const row = rows[1]!;
    const [curves] = await dashboard.get<Curves[]>(`api/sweeps/${sweepId}/curves?trials=${row.trialId}`);
    const cv = curves!.cv!;
    assert.equal(cv.epoch, row.cv!.epoch);
    const folds = cv.foldHistories!;
    const refit = cv.refitHistory!;
    assert.equal(folds.length, 3);
    assert.ok(folds.every((f) => f.length === 8));
    assert.equal(refit.length, cv.epoch, 'the refit trained the budget');
    // the mean curve is the mean of the stored folds (what the worker trained, through the store)
    for (const [i, e] of curves!.history.entries()) {
      assert.ok(Math.abs(near(e.valLoss, folds.reduce((s, f) => s + f[i]!.valLoss, 0) / 3)) < 1e-9);
    }

    const { page, errors } = await openPage(browser, `${dashboard.base}#/sweeps/${sweepId}`);
    await showTrialRows(page, 8);
    await page.click('#select-none');
    await page.check(`#leaderboard tbody input[data-trial="${row.trialId}"]`);
    await page.waitForFunction(() => document.querySelectorAll('#curve-loss .scatterlayer .trace').length === 5);

    const label = `#${row.rank} ${row.trialId.slice(0, 8)}`;
    const loss = await chart(page, 'curve-loss');
    assert.deepEqual(
      loss.traces.map((t) => t.name),
      [
        `${label} · fold 1/3`,
        `${label} · fold 2/3`,
        `${label} · fold 3/3`,
        `${label} · mean of 3 folds`,
        `${label} · refit (whole train file, ${cv.epoch} epoch${cv.epoch === 1 ? '' : 's'})`,
      ],
    );
    folds.forEach((fold, f) =>
      assert.deepEqual(
        loss.traces[f]!.y,
        fold.map((e) => e.loss),
        `fold ${f + 1}'s training loss`,
      ),
    );
    assert.deepEqual(
      loss.traces[4]!.y,
      refit.map((e) => e.loss),
      "the refit's training loss",
    );
    assert.deepEqual(
      loss.traces[4]!.x,
      Array.from({ length: cv.epoch }, (_, i) => i + 1),
    );
    for (const id of ['curve-loss', 'curve-valLoss', 'curve-valAuc']) {
      const c = await chart(page, id);
      assert.equal(c.shapes.length, 1, `${id}: one budget marker`);
      assert.equal(c.shapes[0]!.x0, cv.epoch);
      assert.equal(c.shapes[0]!.x1, cv.epoch);
      assert.deepEqual(c.annotations, [{ text: `budget: epoch ${cv.epoch}`, x: cv.epoch }]);
    }
    // validation panels: the folds are validated on themselves; the refit has no validation to show
    const valAuc = await chart(page, 'curve-valAuc');
    assert.equal(valAuc.traces.length, 4);
    folds.forEach((fold, f) =>
      assert.deepEqual(
        valAuc.traces[f]!.y,
        fold.map((e) => (Number.isFinite(e.valAuc) ? e.valAuc : null)),
      ),
    );
    assert.match(await page.locator('#curves-note').innerText(), /mean of the folds/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a trial in training says "fold i/3, epoch e/E": in the active table, the API and the CLI progress line', async (t) => {
    const EPOCHS = 300;
    const liveDir = await mkdtemp(path.join(os.tmpdir(), 'lsw-dash-cv-live-'));
    // Bigger than the fixture's data (120 series of 64 steps, width 16): each fold lasts a few seconds, long
    // enough for the page to show it (the fixture's trains 3 folds of 150 epochs in half a second).
    await writeSyntheticUcr(liveDir, { trainSize: 120, testSize: 12, timesteps: 64, seed: 3 });
    const spec = await writeSpec(
      liveDir,
      'dash-cv-live',
      ['method: grid', 'parameters:', '  depth: [1]', '  width: [16]', `  epochs: [${EPOCHS}]`, 'seeds: [0]', 'baseline: none'],
      '{ train: train.csv, test: test.csv, format: ucr, protocol: cv, folds: 3 }',
    );
    const liveId = await enqueue(spec, env);
    const watchRedis = new Redis(REDIS_URL);
    const queue = createTrialQueue(watchRedis, prefix);
    const store = new SweepStore(watchRedis, prefix);
    const out = new PassThrough();
    let printed = '';
    out.on('data', (d) => (printed += String(d)));
    const stopWatching = new AbortController();
    const watching = watchSweep(
      store,
      queue,
      liveId,
      { name: 'valAuc', goal: 'maximize' },
      { pollMs: 50, redrawMs: 50, stream: out, signal: stopWatching.signal },
    );
    const worker = spawnCli(['worker'], env);
    const { page, errors } = await openPage(browser, `${dashboard.base}#/sweeps/${liveId}`);
    let stopped: number[] = [];
    try {
      const cell = page.locator('#active-table tbody tr td.progress-cell').first();
      await page.waitForFunction(
        (epochs) =>
          new RegExp(`^fold [12]/3, epoch \\d+/${epochs}$`).test(
            document.querySelector('#active-table td.progress-cell')?.textContent ?? '',
          ),
        EPOCHS,
        { timeout: 60_000 },
      );
      // Freeze the trial where it is (the worker and its trainer): the page and the API must then agree exactly.
      stopped = [worker.pid!, ...(await childPids(worker.pid!))];
      for (const pid of stopped) process.kill(pid, 'SIGSTOP');
      const active = await waitFor(
        async () => {
          const [a] = await dashboard.get<Active[]>(`api/sweeps/${liveId}/active`);
          const shown = await cell.textContent();
          return a && shown === a.progress ? a : undefined;
        },
        10_000,
        'the page to show what the API says',
      );
      assert.equal(active.phase?.kind, 'fold');
      assert.equal(active.phase?.folds, 3);
      assert.equal(active.progress, `fold ${active.phase!.fold}/3, epoch ${active.epoch}/${EPOCHS}`);
      // The CLI line reads the job's progress, which the worker relays from its trainer after the
      // live history: under load it trails it (by 10 epochs seen on a busy machine), never leads.
      const job = await queue.getJob(`${liveId}.${active.trialId}`);
      const progress = TrialProgressSchema.parse(job!.progress);
      assert.equal(progress.folds, 3);
      const behind = (active.phase!.fold! - progress.fold!) * EPOCHS + active.epoch - progress.epoch;
      assert.ok(behind >= 0, `job progress at fold ${progress.fold} epoch ${progress.epoch}, live history at ${active.progress}`);
      const expected = `${active.trialId.slice(0, 6)} fold ${progress.fold}/3, epoch ${progress.epoch}/${EPOCHS}`;
      await waitFor(async () => (printed.includes(expected) ? true : undefined), 5_000, `the CLI line to show ${expected}`);
      for (const pid of stopped) process.kill(pid, 'SIGCONT');
      stopped = [];
      const counts = await Promise.race([
        watching,
        // unref: a pending timer would keep this file's process alive for the full 90 s after the test
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`watchSweep did not end:\n${printed}`)), 90_000).unref()),
      ]);
      assert.equal(counts.completed, 1);
    } finally {
      for (const pid of stopped) if (isAlive(pid)) process.kill(pid, 'SIGCONT');
      stopWatching.abort();
      await watching.catch(() => undefined);
      worker.kill('SIGTERM');
      await exited(worker);
      await page.close();
      await queue.close();
      watchRedis.disconnect();
      await rm(liveDir, { recursive: true, force: true });
    }
    const lines = printed.split('\n').filter((l) => l.includes(' trials |'));
    assert.ok(lines.length > 3, printed);
    assert.match(lines[0]!, /ETA estimating/, 'no estimate before any work is measured');
    for (const l of lines) assert.doesNotMatch(l, /NF|NaN|Infinity|INF/, l);
    assert.ok(
      lines.some((l) => / 0\/1 trials .*ETA (\d+s|\d+m \d+s)/.test(l)),
      'an estimate before any trial has ended, from the folds done',
    );
    assert.match(lines.at(-1)!, / 1\/1 trials .*ETA done/);
    // what the line looked like (the README quotes one)
    for (const l of [lines[0]!, lines.find((l) => / 0\/1 trials .*fold/.test(l)) ?? '', lines.at(-1)!]) t.diagnostic(l);
    assert.deepEqual(errors, []);
  });
});
