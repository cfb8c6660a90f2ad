/**
 * Which WebGPU adapters this host has, asked of a short-lived child process (gpu-probe-child.ts)
 * with a time limit: `worker --help` lists them, and a worker checks them before it starts
 * (`--engine gpu`, `--gpu N`, `--engine auto`). Asynchronous for the worker; synchronous for the
 * help text, which commander builds synchronously.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describeAdapters, type GpuAdapterInfo } from '../model/gpu/device.js';

/** A bound on the probe: Dawn answers in well under a second; a hung driver must not hang the CLI. */
export const PROBE_TIMEOUT_MS = 5_000;

const probeFile = fileURLToPath(new URL('./gpu-probe-child.js', import.meta.url));

const ProbeOutputSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    adapters: z.array(z.object({ index: z.number().int(), name: z.string(), backend: z.string(), software: z.boolean() })),
  }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);

export type AdapterProbe = { ok: true; adapters: GpuAdapterInfo[]; warning?: string } | { ok: false; reason: string };

/** The probe's environment: the worker's, less its Redis login (the probe needs none). */
function probeEnv(): NodeJS.ProcessEnv {
  const { REDIS_URL: _url, REDIS_PASSWORD_FILE: _file, LSW_REDIS_PASSWORD_FD: _fd, ...rest } = process.env;
  return rest;
}

const probeArgs = () => [...process.execArgv.filter((arg) => !arg.startsWith('--inspect')), probeFile];

function readProbe(stdout: string, stderr: string, failure: Error | null, timedOut: boolean): AdapterProbe {
  if (timedOut) return { ok: false, reason: `listing WebGPU adapters took longer than ${PROBE_TIMEOUT_MS / 1000} s` };
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    const why = failure?.message ?? (stderr.trim().split('\n')[0] || 'no output');
    return { ok: false, reason: `listing WebGPU adapters failed: ${why}` };
  }
  const parsed = ProbeOutputSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `listing WebGPU adapters failed: unexpected answer ${line.slice(0, 200)}` };
  if (!parsed.data.ok) return parsed.data;
  // Dawn says on stderr why it refused a driver ("Vulkan shaderUniform*ArrayDynamicIndexing required.")
  const warning = /^Warning: (.*)$/m.exec(stderr)?.[1]?.trim();
  return { ...parsed.data, ...(warning ? { warning } : {}) };
}

export function probeAdapters(): Promise<AdapterProbe> {
  return new Promise((resolve) => {
    execFile(process.execPath, probeArgs(), { env: probeEnv(), timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve(readProbe(stdout, stderr, err, err?.killed === true));
    });
  });
}

export function probeAdaptersSync(): AdapterProbe {
  const r = spawnSync(process.execPath, probeArgs(), { env: probeEnv(), timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return readProbe(r.stdout ?? '', r.stderr ?? '', r.error ?? null, timedOut);
}

/** The adapters as `worker --help` shows them, e.g. "0: SwiftShader Device (Subzero) (vulkan, CPU emulation)". */
export function describeProbe(probe: AdapterProbe): string {
  if (!probe.ok) return `none (${probe.reason})`;
  if (probe.adapters.length > 0) return describeAdapters(probe.adapters);
  return `none (Dawn found no usable adapter${probe.warning ? `: ${probe.warning}` : ''})`;
}
