import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { ensureRedis } from '../../demo/local-redis.js';
import { writeDemoSpec } from '../../demo/demo-spec.js';
import { enqueueSweep, prepareSweep } from '../../producer/enqueue.js';
import { createTrialQueue } from '../../queue/trial-queue.js';
import { loadSpecFile } from '../../definition/load-spec.js';
import { connectRedis } from '../../store/redis.js';
import { DatasetStore } from '../../store/dataset-store.js';
import { SweepStore } from '../../store/sweep-store.js';
import { baselineVerdict, leaderboardTable, seedGroupsTable } from '../leaderboard-format.js';
import { bySeedGroups } from '../../store/aggregate.js';
import { watchSweep } from '../sweep-progress.js';
import { resolveConnection } from '../options.js';

const WORKERS = 2;

function spawnWorker(redisUrl: string, prefix: string, logFile: string): ChildProcess {
  const out = openSync(logFile, 'a');
  // Same node flags and entry script as this process, so it also works when run through tsx.
  // The URL goes through the environment: on the command line a password would show in ps.
  const { REDIS_PASSWORD_FILE: _file, ...env } = process.env;
  return spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'worker', '--prefix', prefix], {
    stdio: ['ignore', out, out],
    env: { ...env, REDIS_URL: redisUrl },
  });
}

export function demoCommand(): Command {
  return new Command('demo').action(async () => {
    const { redisUrl, prefix } = resolveConnection({});
    const redisService = await ensureRedis(redisUrl);
    const dir = path.join(os.tmpdir(), `lstm-sweep-demo-${process.pid}`);
    const { file, dataset } = await writeDemoSpec(dir);
    console.error(`dataset: ${dataset}\nspec: ${file}`);

    const redis = await connectRedis(redisService.url);
    const queue = createTrialQueue(redis, prefix);
    const workers: ChildProcess[] = [];
    try {
      const store = new SweepStore(redis, prefix);
      const deps = { store, datasets: new DatasetStore(redis, prefix), queue };
      const summary = await enqueueSweep(await prepareSweep(await loadSpecFile(file)), deps);
      console.error(`sweep ${summary.sweepId}: ${summary.trials} trials queued; starting ${WORKERS} workers (logs: ${dir}/worker-*.log)`);
      const died = new AbortController();
      for (let i = 0; i < WORKERS; i++) {
        const child = spawnWorker(redisService.url, prefix, path.join(dir, `worker-${i}.log`));
        child.once('exit', (code) => {
          if (code !== 0 && code !== null) died.abort();
        });
        workers.push(child);
      }
      const sweep = (await store.getSweep(summary.sweepId))!;
      const counts = await watchSweep(store, queue, summary.sweepId, sweep.spec.metric, { signal: died.signal });
      if (died.signal.aborted) throw new Error(`a worker exited unexpectedly; see ${dir}/worker-*.log`);
      const rows = await store.leaderboard(summary.sweepId, sweep.spec.metric, -1, { withPredictions: true });
      // The MiniRocket reference, when it has finished (its job goes first in the queue).
      const state = await store.baselineState(sweep);
      const baseline = state.state === 'done' ? state.result : undefined;
      console.log(`per configuration, over ${sweep.spec.seeds.length} seeds:`);
      console.log(seedGroupsTable(bySeedGroups(rows, sweep.spec.metric), sweep.spec.metric, baseline));
      console.log('per trial:');
      console.log(leaderboardTable(rows, sweep.spec.metric, baseline));
      if (baseline) for (const line of baselineVerdict(baseline, rows, sweep.spec.metric)) console.log(line);
      console.log(`${counts.completed} completed, ${counts.failed} failed. Again later: npx lstm-sweep leaderboard ${summary.sweepId}`);
      console.log(
        `Curves and hyperparameter effects: npx lstm-sweep dashboard, then open http://127.0.0.1:8787/#/sweeps/${summary.sweepId}`,
      );
    } finally {
      await Promise.all(
        workers.map(
          (w) => new Promise<void>((resolve) => (w.exitCode !== null ? resolve() : (w.once('exit', () => resolve()), w.kill('SIGTERM')))),
        ),
      );
      await queue.close();
      redis.disconnect();
      await redisService.stop();
    }
  });
}
