/**
 * Test sweeps driven through the real CLI, as the worker e2e tests (faults, packing) use them:
 * enqueue a spec written from lines (no MiniRocket baseline job: these tests count and break
 * trials), read `status --json`, wait until every trial has ended.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, waitFor } from './helpers.js';

export interface SweepCli {
  /** Enqueues sweep `name` on `dataset` (a YAML flow mapping) with the spec `lines`; returns its id. */
  enqueue(name: string, dataset: string, lines: string[]): Promise<string>;
  status(sweepId: string): Promise<Record<string, number>>;
  untilEnded(sweepId: string, timeoutMs?: number): Promise<Record<string, number>>;
}

export function sweepCli(dir: string, env: NodeJS.ProcessEnv): SweepCli {
  const status = async (sweepId: string) => {
    const r = await runCli(['status', sweepId, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, number>;
  };
  return {
    async enqueue(name, dataset, lines) {
      const file = path.join(dir, `${name}.yaml`);
      await writeFile(file, [`name: ${name}`, `dataset: ${dataset}`, 'baseline: none', ...lines].join('\n'));
      const r = await runCli(['enqueue', file, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { sweepId: string }).sweepId;
    },
    status,
    untilEnded: (sweepId, timeoutMs = 120_000) =>
      waitFor(
        async () => {
          const s = await status(sweepId);
          return s.completed! + s.pruned! + s.failed! + s.cancelled! === s.total ? s : undefined;
        },
        timeoutMs,
        `sweep ${sweepId} to end`,
      ),
  };
}
