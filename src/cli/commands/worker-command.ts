import os from 'node:os';
import { Command } from 'commander';
import { z } from 'zod';
import { readEnv } from '../../config/env.js';
import { BackendChoiceSchema, EngineChoiceSchema } from '../../model/choices.js';
import { connectRedis } from '../../store/redis.js';
import { log } from '../../util/logger.js';
import { assertBackendAvailable } from '../../worker/native-backend.js';
import { startWorker } from '../../worker/worker.js';
import { decideEngine } from '../../worker/engine-decision.js';
import { describeProbe, probeAdaptersSync } from '../../worker/gpu-probe.js';
import { intFlag, parseFlags, resolveConnection, withConnection, type ConnectionFlags } from '../options.js';

const FlagsSchema = z.object({
  concurrency: z.union([z.literal('auto'), intFlag(1, 256)]).default(1),
  backend: BackendChoiceSchema.optional(),
  engine: EngineChoiceSchema.optional(),
  pack: intFlag(1, 256).optional(),
  gpu: intFlag(0, 255).optional(),
  cacheDir: z.string().min(1).optional(),
  grace: z.coerce.number().min(0).max(86_400).default(300),
  artifacts: z.string().min(1).optional(),
});

export function workerCommand(): Command {
  return withConnection(
    new Command('worker')
      .option('-c, --concurrency <n>', 'trials trained at once, each in its own process; "auto" = one per CPU core', '1')
      .option('--backend <name>', 'auto | tensorflow | wasm | cpu [env: LSW_BACKEND, default auto]')
      .option(
        '--engine <name>',
        'training engine: auto (gpu when a hardware WebGPU adapter is present, else fast, or layers on the tensorflow backend) | fast | layers | gpu [env: LSW_ENGINE, default auto]',
      )
      .option(
        '--pack <k>',
        'train up to K trials at once in ONE trainer process (the gpu engine trains them as one pack; default 16 with gpu, else 1 = one process per trial)',
      )
      .option(
        '--gpu <index>',
        'pin this worker to one GPU: the WebGPU adapter (gpu engine; listed below), or CUDA_VISIBLE_DEVICES for the tensorflow backend',
      )
      .option('--cache-dir <dir>', 'local dataset cache [env: LSW_CACHE_DIR, default ~/.cache/lstm-sweep]')
      .option(
        '--artifacts <where>',
        'keep each trained model in: redis | none | a directory (e.g. a shared volume) [env: LSW_ARTIFACTS, default redis]',
      )
      .option('--grace <seconds>', 'on SIGTERM/SIGINT, wait this long for current trials, then hand them back to the queue', '300')
      // Computed only when the help is shown: Dawn loads in a child process (well under a second, at most PROBE_TIMEOUT_MS).
      .addHelpText('after', () => `\nWebGPU adapters: ${describeProbe(probeAdaptersSync())}\n`),
  ).action(async (raw: ConnectionFlags & Record<string, unknown>) => {
    const flags = parseFlags(FlagsSchema, raw);
    const env = readEnv();
    const backend = flags.backend ?? env.LSW_BACKEND;
    assertBackendAvailable(backend);
    const { redisUrl, prefix } = resolveConnection(raw);
    const concurrency = flags.concurrency === 'auto' ? os.availableParallelism() : flags.concurrency;
    const request = { engine: flags.engine ?? env.LSW_ENGINE, backend, gpu: flags.gpu, pack: flags.pack, concurrency };
    // Before Redis: a refused choice (no adapter, --gpu N not there) exits 2 having touched nothing.
    const decision = await decideEngine(request);
    const redis = await connectRedis(redisUrl, { persistent: true });
    const running = await startWorker(redis, {
      redisUrl,
      prefix,
      backend,
      engine: decision.engine,
      ...(decision.pack !== undefined ? { pack: decision.pack } : {}),
      cacheDir: flags.cacheDir ?? env.LSW_CACHE_DIR,
      artifacts: flags.artifacts ?? env.LSW_ARTIFACTS,
      concurrency,
      gpu: flags.gpu,
      readyFields: decision.fields,
    });
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log('worker.stopping', { signal, graceSeconds: flags.grace });
      const { handedBack } = await running.shutdown(flags.grace * 1000);
      redis.disconnect();
      log('worker.stopped', { handedBack });
      // Trainer children still running a handed-back trial exit when this process does.
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });
}
