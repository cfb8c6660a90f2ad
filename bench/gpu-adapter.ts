/** The WebGPU adapter a GPU benchmark runs on, as its report names it (bench:gpu, bench:gpu-sweep). */
import { describeAdapters, listAdapters, openGpu, type GpuAdapterInfo } from '../src/model/gpu/device.js';

/** What a report says instead of a speed claim when the adapter is a CPU emulation (SwiftShader). */
export const EMULATION = 'CPU emulation: no speed claims';

export type Adapter = (GpuAdapterInfo & { description: string }) | null;

/** The adapter `openGpu()` picks (null with the reason when there is none) and the list Dawn found. */
export async function findAdapter(): Promise<{ adapter: Adapter; reason?: string; listed: string }> {
  try {
    const listed = describeAdapters(await listAdapters());
    const gpu = await openGpu();
    gpu.device.destroy();
    return { adapter: { ...gpu.adapter, description: gpu.description }, listed };
  } catch (err) {
    return { adapter: null, reason: (err as Error).message, listed: 'none' };
  }
}
