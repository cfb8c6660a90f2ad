/**
 * Screenshots of the dashboard for the docs (docs/screenshots/*.png), from a real sweep:
 * 16 LSTM configurations (depth x width x dropout x residual on/off) x 2 seeds, cross-validated on ItalyPowerDemand
 * (../shared/datasets) by 2 real worker processes, with the MiniRocket baseline,
 * a second real sweep of the same data (wider LSTMs) for the sweeps comparison, and a small dry-run
 * random search so the overview lists more than one kind of sweep.
 *
 *   npm run build && node --import tsx scripts/screenshots.ts [--prefix lsw-screens] [--keep]
 *
 * Needs Redis (REDIS_URL, default 127.0.0.1:6379) and Chromium (/usr/bin/chromium or LSW_CHROMIUM).
 * Everything is written under its own key prefix, deleted afterwards unless --keep (then a rerun
 * reuses the trained sweep instead of training again).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const DATA = path.resolve(ROOT, '../shared/datasets/ItalyPowerDemand');
const OUT = path.join(ROOT, 'docs', 'screenshots');

const { values: args } = parseArgs({
  options: { prefix: { type: 'string', default: 'lsw-screens' }, keep: { type: 'boolean', default: false } },
});
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const env = { ...process.env, REDIS_URL, LSW_PREFIX: args.prefix, LSW_DASHBOARD_TOKEN: '' };

function cli(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`lstm-sweep ${argv.join(' ')}: ${err}`))));
  });
}

function start(argv: string[]): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [CLI, ...argv], { env });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

async function until<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-screens-'));
const realSpec = path.join(dir, 'italy.yaml');
await writeFile(
  realSpec,
  [
    'name: italy-power-residual',
    // 67 train series: cross-validated (5 folds, then a refit), as protocol auto does for small files.
    `dataset: { train: ${path.join(DATA, 'train.csv')}, test: ${path.join(DATA, 'test.csv')}, format: ucr }`,
    'method: grid',
    'parameters:',
    // depth 1 has no skip connection to switch (its one layer changes the width), so residual on/off is compared at 2 and 3
    '  depth: [2, 3]',
    '  width: [8, 16]',
    '  dropout: [0.0, 0.2]',
    '  residual: [true, false]',
    '  learningRate: [0.01]',
    '  batchSize: [16]',
    '  epochs: [20]',
    '  patience: [0]',
    // Validation AUC saturates at 1.0 on this task; the loss still tells the variants apart.
    'metric: { name: valLoss, goal: minimize }',
    'seeds: [1, 2]',
  ].join('\n'),
);
// A second real sweep on the same files (so the same dataset hash): wider LSTMs, for "compare sweeps".
const wideSpec = path.join(dir, 'wide.yaml');
await writeFile(
  wideSpec,
  [
    'name: italy-power-wide',
    `dataset: { train: ${path.join(DATA, 'train.csv')}, test: ${path.join(DATA, 'test.csv')}, format: ucr }`,
    'method: grid',
    'parameters:',
    '  depth: [2]',
    '  width: [32]',
    '  dropout: [0.0, 0.2]',
    '  residual: [true, false]',
    '  learningRate: [0.01]',
    '  batchSize: [16]',
    '  epochs: [20]',
    '  patience: [0]',
    'metric: { name: valLoss, goal: minimize }',
    'seeds: [1, 2]',
  ].join('\n'),
);
const drySpec = path.join(dir, 'dry.yaml');
await writeFile(
  drySpec,
  [
    'name: italy-random-search-dry-run',
    `dataset: { train: ${path.join(DATA, 'train.csv')}, format: ucr }`,
    'method: random',
    'count: 24',
    'parameters:',
    '  depth: [1, 2, 3, 4]',
    '  width: { min: 8, max: 64 }',
    '  learningRate: { min: 0.0005, max: 0.05, log: true }',
    'dryRun: true',
  ].join('\n'),
);

const redis = new Redis(REDIS_URL);
const workers: ChildProcess[] = [];
let dashboard: ReturnType<typeof start> | undefined;
try {
  const dry = JSON.parse(await cli(['enqueue', drySpec, '--json'])) as { sweepId: string };
  const real = JSON.parse(await cli(['enqueue', realSpec, '--json'])) as { sweepId: string; trials: number };
  const wide = JSON.parse(await cli(['enqueue', wideSpec, '--json'])) as { sweepId: string; trials: number };
  type Counts = { total: number; completed: number; failed: number };
  const status = async (id: string) => JSON.parse(await cli(['status', id, '--json'])) as Counts;
  // every trial ended, and the MiniRocket baseline done (best --baseline answers)
  const finished = async (id: string) => {
    const c = await status(id);
    return (
      c.completed + c.failed === c.total &&
      (await cli(['best', id, '--baseline', '--json']).then(
        () => true,
        () => false,
      ))
    );
  };
  if (!(await finished(real.sweepId)) || !(await finished(wide.sweepId))) {
    console.log(`training ${real.trials} trials of ${real.sweepId} and ${wide.trials} of ${wide.sweepId} with 2 workers...`);
    workers.push(start(['worker']), start(['worker']));
    await until(
      async () =>
        (await finished(real.sweepId)) && (await finished(wide.sweepId)) && (await status(dry.sweepId)).completed === 24 ? true : undefined,
      15 * 60_000,
      'the sweeps to finish',
    );
    await Promise.all(workers.map(stop));
  }

  dashboard = start(['dashboard', '--port', '0']);
  const url = await until(async () => dashboard!.output().match(/^dashboard: (\S+)/)?.[1], 15_000, 'the dashboard');
  const browser = await chromium.launch({
    executablePath: process.env.LSW_CHROMIUM ?? '/usr/bin/chromium',
    // SwiftShader gives the headless browser WebGL, which the parallel-coordinates view needs.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--no-first-run',
      '--disable-sync',
      '--disable-background-networking',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  await mkdir(OUT, { recursive: true });

  await page.goto(`${url}#/`);
  await page.waitForSelector('#sweeps tbody tr');
  await page.screenshot({ path: path.join(OUT, 'overview.png'), clip: { x: 0, y: 0, width: 1440, height: 420 } });

  // The sweep page: by configuration (2 seeds), the MiniRocket baseline as the reference row.
  await page.goto(`${url}#/sweeps/${real.sweepId}`);
  await page.waitForSelector('#leaderboard tbody tr.ref');
  await page.waitForSelector('#importance-chart .main-svg', { state: 'attached' });
  await page.waitForSelector('#compare-plot .main-svg', { state: 'attached' });
  await page.waitForTimeout(1500);
  const board = await page.locator('#leaderboard').boundingBox();
  await page.screenshot({
    path: path.join(OUT, 'leaderboard.png'),
    clip: { x: 0, y: 0, width: 1440, height: Math.ceil((board?.y ?? 700) + Math.min(board?.height ?? 300, 420) + 20) },
    fullPage: true,
  });
  await page.locator('#effects-panel').screenshot({ path: path.join(OUT, 'hyperparameter-effects.png') });
  await page.locator('#importance-panel').screenshot({ path: path.join(OUT, 'importance.png') });
  await page.locator('#compare-panel').screenshot({ path: path.join(OUT, 'paired-comparison.png') });

  // One cross-validated trial's curves: its 5 folds, their mean, the budget and the refit.
  await page.uncheck('#by-config');
  await page.waitForSelector('#leaderboard tbody tr[data-trial-id]');
  await page.click('#select-none');
  const best = await page.locator('#leaderboard tbody tr[data-trial-id]').first().getAttribute('data-trial-id');
  await page.check(`#leaderboard input[data-trial="${best}"]`);
  await page.waitForFunction(() => document.querySelectorAll('#curve-loss .scatterlayer .trace').length >= 7);
  await page.waitForTimeout(1000);
  await page
    .locator('#curves')
    .locator('xpath=ancestor::section')
    .screenshot({ path: path.join(OUT, 'cv-curves.png') });

  // Two sweeps of the same data side by side.
  await page.goto(`${url}#/compare/${real.sweepId},${wide.sweepId}`);
  await page.waitForSelector('#compare-metric .boxlayer .trace', { state: 'attached' });
  await page.waitForTimeout(1500);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(OUT, 'compare-sweeps.png'), fullPage: true });

  await page.goto(`${url}queues`);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(OUT, 'queues.png'), clip: { x: 0, y: 0, width: 1440, height: 420 } });
  await browser.close();
  console.log(
    `screenshots in ${path.relative(process.cwd(), OUT) || '.'}: overview.png, leaderboard.png, cv-curves.png, hyperparameter-effects.png, importance.png, paired-comparison.png, compare-sweeps.png, queues.png`,
  );
} finally {
  await Promise.all(workers.map(stop));
  if (dashboard) await stop(dashboard);
  if (!args.keep) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${args.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  }
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
}
