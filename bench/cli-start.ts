/**
 * Start time of CLI commands: the wall time of `node dist/cli/main.js <command>` from spawn to
 * exit, for the commands people run most (and whose cost is mostly loading modules).
 *
 *   npm run bench:cli-start -- [--json] [--runs N] [--baseline path/to/other/dist/cli/main.js]
 *
 * A 4-trial dry-run sweep is enqueued under a prefix of its own (deleted afterwards) so that
 * `status`, `leaderboard`, `sweeps` and `cancel` have something real to read. With `--baseline`
 * the same commands of another build (e.g. the code before a change, built elsewhere) run in the
 * same loop, alternating with this one, so both see the same machine load. Reported per command:
 * the median and the fastest wall time in ms, the median CPU time (user + system, all threads, from
 * bench/cpu-usage.mjs: much less sensitive than wall time to other load on the machine), and
 * whether every run exited as expected. The first row, `node (empty script)`, is Node's own start.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { CLI, REDIS_URL, benchPrefix, deletePrefix, onInterrupt, parseArgs, percentile, round } from './common.js';

const args = parseArgs(process.argv.slice(2), { flags: ['json'], numbers: ['runs'], strings: ['baseline'] });
const runs = args.numbers.get('runs') ?? 7;
const json = args.flags.has('json');
const builds: Record<string, string> = { current: CLI };
const baseline = args.strings.get('baseline');
if (baseline) builds.baseline = path.resolve(baseline);

const prefix = benchPrefix('clistart');
const env = { ...process.env, REDIS_URL, LSW_PREFIX: prefix };
const redis = new Redis(REDIS_URL);
const dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-cli-start-'));
const cleanup = onInterrupt(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

const CPU_HOOK = path.join(path.dirname(CLI), '..', '..', 'bench', 'cpu-usage.mjs');
const cpuFile = path.join(dir, 'cpu.json');

/** Runs `node <script> <argv>`; wall time from spawn to exit, CPU time as the process reports it. */
function run(script: string, argv: string[]): { ms: number; cpuMs: number; code: number | null; stdout: string; stderr: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, script, ...argv], {
    env: { ...env, LSW_CPU_FILE: cpuFile },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = JSON.parse(readFileSync(cpuFile, 'utf8')) as { user: number; system: number };
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

try {
  console.error(`prefix ${prefix}`);
  const empty = path.join(dir, 'empty.js');
  await writeFile(empty, '');
  await writeFile(path.join(dir, 'train.csv'), 'label,t0,t1,t2\n0,1,2,3\n1,2,3,4\n0,1,2,2\n1,2,3,3\n0,1,1,3\n1,2,2,4\n');
  const spec = path.join(dir, 'spec.yaml');
  await writeFile(
    spec,
    'name: cli-start\ndataset: { train: train.csv, protocol: holdout, validationSplit: 0.5 }\nparameters: { depth: [1, 2], width: [4, 8] }\ndryRun: true\n',
  );
  const enq = run(CLI, ['enqueue', spec, '--json']);
  if (enq.code !== 0) throw new Error(`enqueue failed: ${enq.stderr}`);
  const { sweepId, trials } = JSON.parse(enq.stdout) as { sweepId: string; trials: number };

  // [label, argv, expected exit code]; argv[0] === EMPTY runs the empty script instead of the CLI
  const EMPTY = '<empty>';
  const commands: Array<[string, string[], number]> = [
    ['node (empty script)', [EMPTY], 0],
    ['--version', ['--version'], 0],
    ['--help', ['--help'], 0],
    ['worker --help', ['worker', '--help'], 0],
    [`status (${trials} trials)`, ['status', sweepId], 0],
    ['status <unknown sweep>', ['status', 'no-such-sweep'], 2],
    ['sweeps', ['sweeps'], 0],
    ['leaderboard', ['leaderboard', sweepId], 0],
    ['cancel', ['cancel', sweepId], 0],
  ];
  const samples = new Map<string, number[]>();
  const cpuSamples = new Map<string, number[]>();
  const failures: string[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [label, argv, expected] of commands) {
      for (const [build, cli] of Object.entries(builds)) {
        const r = argv[0] === EMPTY ? run(empty, []) : run(cli, argv);
        if (r.code !== expected) failures.push(`${build} ${label}: exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
        const key = `${build}\t${label}`;
        samples.set(key, [...(samples.get(key) ?? []), r.ms]);
        cpuSamples.set(key, [...(cpuSamples.get(key) ?? []), r.cpuMs]);
      }
    }
  }
  const results = commands.map(([label]) => {
    const row: Record<string, unknown> = { command: label };
    for (const build of Object.keys(builds)) {
      const sorted = [...samples.get(`${build}\t${label}`)!].sort((a, b) => a - b);
      const cpu = [...cpuSamples.get(`${build}\t${label}`)!].sort((a, b) => a - b);
      row[build] = { medianMs: round(percentile(sorted, 50), 0), minMs: round(sorted[0]!, 0), cpuMedianMs: round(percentile(cpu, 50), 0) };
    }
    return row;
  });
  if (json) {
    console.log(JSON.stringify({ runs, node: process.version, cpus: os.availableParallelism(), builds, results, failures }));
  } else {
    for (const row of results) {
      const cells = Object.keys(builds).map((b) => {
        const s = row[b] as { medianMs: number; minMs: number; cpuMedianMs: number };
        return `${b} ${s.medianMs} ms (min ${s.minMs}, cpu ${s.cpuMedianMs})`;
      });
      console.log(`${String(row.command).padEnd(24)} ${cells.join('   ')}`);
    }
    for (const f of failures) console.log(`unexpected: ${f}`);
  }
  if (failures.length > 0) process.exitCode = 1;
} finally {
  await cleanup();
}
