/**
 * Shared parts of the dashboard's browser tests (test/e2e/dashboard*.test.ts): a real sweep trained
 * by a real worker, the built CLI serving the dashboard, and headless Chromium.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { writeSyntheticUcr } from '../src/data/synthetic.js';
import { deletePrefix, exited, runCli, spawnCli, waitFor } from './helpers.js';

export const CHROMIUM = process.env.LSW_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** False when Chromium is there, else why the browser tests skip (CI fails on any skip: .ci/run). */
export const noChromium = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set LSW_CHROMIUM): browser tests skipped`;

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page that collects uncaught page errors in `errors` (a test asserts it stays empty). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

/**
 * On a sweep page, the leaderboard one row per trial: a sweep with several seeds opens by
 * configuration, so this unticks that toggle; resolves once `trials` trial rows are drawn.
 */
export async function showTrialRows(page: Page, trials: number): Promise<void> {
  await page.waitForSelector('#leaderboard tbody tr');
  if (await page.isChecked('#by-config')) await page.uncheck('#by-config');
  await page.waitForFunction((n) => document.querySelectorAll('#leaderboard tbody tr[data-trial-id]').length === n, trials);
}

/** After a dashboard test file: the browser, the dashboard, the file's keys in Redis and its folder, whichever it got to. */
export async function tearDown(parts: {
  browser?: Browser;
  dashboard?: RunningDashboard;
  redis?: Redis;
  prefix: string;
  dir?: string;
}): Promise<void> {
  await parts.browser?.close();
  await parts.dashboard?.stop();
  if (parts.redis) {
    await deletePrefix(parts.redis, parts.prefix);
    parts.redis.disconnect();
  }
  if (parts.dir) await rm(parts.dir, { recursive: true, force: true });
}

export interface RunningDashboard {
  /** http://127.0.0.1:<port>/ */
  base: string;
  /** headers that carry the token (empty without one) */
  auth: Record<string, string>;
  /** GET base + path with the token, as JSON; throws on a non-2xx answer */
  get: <T = unknown>(p: string) => Promise<T>;
  stop: () => Promise<void>;
}

/** `lstm-sweep dashboard --port 0` with `env`; resolves once it prints its address. */
export async function startDashboard(env: NodeJS.ProcessEnv, token?: string): Promise<RunningDashboard> {
  const proc = spawnCli(['dashboard', '--port', '0'], { ...env, LSW_DASHBOARD_TOKEN: token ?? '' });
  const first = await waitFor(
    async () =>
      proc.output().includes('\n') ? proc.output().split('\n')[0] : proc.exitCode !== null ? `exited: ${proc.output()}` : undefined,
    15_000,
    'the dashboard to start',
  );
  const match = first.match(/^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/);
  assert.ok(match, `first line: ${first}`);
  const base = match[1]!;
  const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return {
    base,
    auth,
    get: async <T>(p: string) => {
      const res = await fetch(base + p, { headers: auth });
      const body = (await res.json()) as T;
      if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    stop: async () => {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      assert.equal(await exited(proc), 0, proc.output());
    },
  };
}

/**
 * Writes a spec file `<name>.yaml` in `dir` (next to train.csv and test.csv); `lines` are its
 * top-level YAML lines besides name and dataset.
 */
export async function writeSpec(
  dir: string,
  name: string,
  lines: string[],
  dataset = '{ train: train.csv, test: test.csv, format: ucr }',
): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, [`name: ${name}`, `dataset: ${dataset}`, ...lines].join('\n'));
  return file;
}

/** Synthetic two-class data (src/data/synthetic.ts) as train.csv and test.csv in `dir`. */
export function writeData(dir: string): Promise<{ train: string; test: string }> {
  return writeSyntheticUcr(dir, { trainSize: 24, testSize: 12, timesteps: 16, seed: 3 });
}

/** What `status --json` says of a sweep. */
export async function sweepStatus(sweepId: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const r = await runCli(['status', sweepId, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Enqueues `specFile`; returns the sweep id. */
export async function enqueue(specFile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runCli(['enqueue', specFile, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { sweepId: string }).sweepId;
}

/**
 * Runs one worker until every trial of the sweep has ended and, with `baseline`, its MiniRocket
 * baseline is done (`best --baseline` answers), then stops it.
 */
export async function trainAll(
  sweepId: string,
  env: NodeJS.ProcessEnv,
  opts: { baseline?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  const worker = spawnCli(['worker'], env);
  try {
    await waitFor(
      async () => {
        const s = await sweepStatus(sweepId, env);
        const ended = ['completed', 'failed', 'cancelled', 'pruned'].reduce((n, k) => n + Number(s[k] ?? 0), 0);
        if (ended !== s.total) return undefined;
        return !opts.baseline || (await runCli(['best', sweepId, '--baseline', '--json'], env)).code === 0 ? true : undefined;
      },
      opts.timeoutMs ?? 120_000,
      `every trial of ${sweepId}${opts.baseline ? ' and its baseline' : ''}`,
    );
  } finally {
    worker.kill('SIGTERM');
    await exited(worker);
  }
}

/**
 * The sweep the dashboard's answers are about, trained for real on synthetic data (seconds): residual
 * on/off × depth 1/2 at width 4, 2 seeds (8 trials), 3-fold cross-validation then a refit, 8
 * epochs, and the MiniRocket baseline. Models are kept (the worker's default, in Redis).
 */
export async function trainRealSweep(dir: string, env: NodeJS.ProcessEnv, name = 'dash-real'): Promise<string> {
  await writeData(dir);
  const spec = await writeSpec(
    dir,
    name,
    [
      'method: grid',
      'parameters:',
      '  depth: [1, 2]',
      '  width: [4]',
      '  residual: [true, false]',
      '  epochs: [8]',
      'seeds: [0, 1]',
      'metric: { name: valAuc, goal: maximize }',
      'baseline: minirocket',
    ],
    '{ train: train.csv, test: test.csv, format: ucr, protocol: cv, folds: 3 }',
  );
  const sweepId = await enqueue(spec, env);
  await trainAll(sweepId, env, { baseline: true });
  return sweepId;
}
