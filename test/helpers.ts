import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { trialIdOf } from '../src/definition/trials.js';
import type { ModelConfig } from '../src/model/network-plan.js';
import type { TrialConfig } from '../src/model/trial-config.js';
import type { TrialResult } from '../src/store/records.js';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a node script to completion, collecting its output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the built CLI (npm test builds it first) as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): Promise<CliResult> {
  return runNode([CLI, ...args], env, cwd);
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

/** A key prefix of its own for each test run, so tests never touch real sweeps. */
export function uniquePrefix(): string {
  return `lsw-test-${randomBytes(4).toString('hex')}`;
}

export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

export async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface LogEvent {
  time: string;
  event: string;
  jobId?: string;
  status?: string;
  [key: string]: unknown;
}

/** The structured (JSON) log lines a worker printed so far. */
export function logEvents(output: string): LogEvent[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogEvent);
}

/** Direct children of a process (the sandboxed trainers of a worker). */
export async function childPids(pid: number): Promise<number[]> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) =>
    execFile('pgrep', ['-P', String(pid)], (_err, stdout) => resolve(stdout.split('\n').filter(Boolean).map(Number))),
  );
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Enqueues `spec` through the CLI, runs one worker until `trials` trials have completed, stops it
 * and returns the sweep id.
 */
export async function enqueueAndTrain(spec: string, env: NodeJS.ProcessEnv, trials: number, timeoutMs = 120_000): Promise<string> {
  const enq = await runCli(['enqueue', spec, '--json'], env);
  if (enq.code !== 0) throw new Error(`enqueue failed: ${enq.stderr}`);
  const { sweepId } = JSON.parse(enq.stdout) as { sweepId: string };
  const w = spawnCli(['worker'], env);
  try {
    await waitFor(
      async () => (JSON.parse((await runCli(['status', sweepId, '--json'], env)).stdout).completed === trials ? true : undefined),
      timeoutMs,
      `${trials} trials`,
    );
  } finally {
    w.kill('SIGTERM');
    await exited(w);
  }
  return sweepId;
}

/** A finished trial's result with placeholder run details, for tests that write results without training. */
export function fakeResult(sweepId: string, config: TrialConfig, metrics: TrialResult['metrics'], worker = 'h:1'): TrialResult {
  return {
    sweepId,
    trialId: trialIdOf(config),
    config,
    metrics,
    history: [],
    bestEpoch: 1,
    epochsRun: 1,
    stoppedEarly: false,
    params: 1,
    durationMs: 1,
    backend: 'cpu',
    worker,
    attempts: 1,
    finishedAt: new Date().toISOString(),
  };
}

/** The recipe's reference architecture (width 10, depth 8, dense head, no dropout), with overrides. */
export function modelConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return { depth: 8, width: 10, dropout: 0, recurrentDropout: 0, head: 'dense', seed: 1, ...over };
}
