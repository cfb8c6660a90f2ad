/**
 * Lists the WebGPU adapters and prints them as one JSON line (gpu-probe.ts reads it). Runs in a
 * process of its own: loading Dawn costs memory and threads the worker does not keep, it prints
 * driver warnings on stderr, and a driver that hangs can be killed.
 */
import { GpuUnavailableError, listAdapters } from '../model/gpu/device.js';

try {
  process.stdout.write(`${JSON.stringify({ ok: true, adapters: await listAdapters() })}\n`);
} catch (err) {
  const reason = err instanceof GpuUnavailableError ? err.message : `listing WebGPU adapters failed: ${(err as Error).message}`;
  process.stdout.write(`${JSON.stringify({ ok: false, reason })}\n`);
}
// Dawn's instance would keep this process alive
process.exit(0);
