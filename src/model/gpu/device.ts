/**
 * The WebGPU device of the `gpu` engine, through the optional `webgpu` package (Dawn's Node
 * bindings, `dawn.node`). Dawn drives the vendor's own driver (Vulkan on Linux, Metal on macOS,
 * D3D12 on Windows), so there is no CUDA version to match. Nothing here is fatal at import time:
 * a machine where `webgpu` is missing or cannot load reports why (`GpuUnavailableError`), and
 * the worker falls back to the fast engine under `--engine auto`.
 *
 * Software adapters (SwiftShader, lavapipe, llvmpipe) are real WebGPU implementations that
 * compute on the CPU: correct and slow. The tests run on SwiftShader; `auto` never picks one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What `requestAdapter()` found, as `worker --help` lists it. */
export interface GpuAdapterInfo {
  /** position in Dawn's list (`--gpu N`) */
  index: number;
  /** Dawn's adapter name (`SwiftShader Device (Subzero)`, `NVIDIA H100 80GB HBM3`, ...) */
  name: string;
  /** Dawn backend: vulkan, metal, d3d12, ... */
  backend: string;
  /** a CPU emulation (SwiftShader, lavapipe, llvmpipe): correct, never fast */
  software: boolean;
}

export class GpuUnavailableError extends Error {
  override readonly name = 'GpuUnavailableError';
}

/** The SwiftShader Vulkan driver Debian's chromium package ships: the WebGPU adapter of this project's tests and CI. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Environment that makes Dawn use SwiftShader (tests, CI, `bench:gpu` on a CPU host); null when it is not installed. */
export function swiftShaderEnv(): Record<string, string> | null {
  return existsSync(SWIFTSHADER_ICD) ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } : null;
}

const SOFTWARE = /swiftshader|lavapipe|llvmpipe|software|microsoft basic render/i;

type WebGpuModule = { create(flags: string[]): GPU; globals: Record<string, unknown> };

let loaded: Promise<WebGpuModule> | undefined;

/** Loads `webgpu` once; a missing or broken package becomes a GpuUnavailableError naming the fix. */
function loadWebGpu(): Promise<WebGpuModule> {
  loaded ??= (async () => {
    try {
      createRequire(import.meta.url).resolve('webgpu');
    } catch {
      throw new GpuUnavailableError('the optional package `webgpu` is not installed: npm install webgpu@0.6.2 (it ships dawn.node)');
    }
    // Dawn's Vulkan loader complains to stderr when XDG_RUNTIME_DIR is unset (headless hosts)
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    try {
      const specifier: string = 'webgpu';
      const mod = (await import(specifier)) as WebGpuModule;
      Object.assign(globalThis, mod.globals);
      return mod;
    } catch (err) {
      throw new GpuUnavailableError(`the webgpu package is installed but dawn.node did not load: ${(err as Error).message}`);
    }
  })();
  return loaded;
}

/**
 * Dawn's adapters, in its order. Dawn has no enumeration call in its Node bindings; asked for an
 * adapter name that cannot exist, it refuses with the list (`* backend: 'vulkan', name: '...'`),
 * which is read here.
 */
export async function listAdapters(): Promise<GpuAdapterInfo[]> {
  const webgpu = await loadWebGpu();
  let message = '';
  try {
    await webgpu.create(['adapter=\u0001lstm-sweep-list\u0001']).requestAdapter();
  } catch (err) {
    message = (err as Error).message;
  }
  const adapters: GpuAdapterInfo[] = [];
  for (const m of message.matchAll(/\*\s*backend:\s*'([^']*)',\s*name:\s*'([^']*)'/g)) {
    adapters.push({ index: adapters.length, backend: m[1]!, name: m[2]!, software: SOFTWARE.test(m[2]!) });
  }
  return adapters;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: GpuAdapterInfo;
  /** the adapter's description as Dawn gives it (driver version included) */
  description: string;
}

/**
 * Opens adapter `index` (default: Dawn's first high-performance adapter) with the limits the
 * packed kernels need. Keeps the `webgpu` instance alive as long as the device (Dawn ties them).
 */
export async function openGpu(index?: number): Promise<GpuContext> {
  const webgpu = await loadWebGpu();
  const adapters = await listAdapters();
  if (adapters.length === 0) {
    throw new GpuUnavailableError(
      'no WebGPU adapter: install the GPU vendor driver with Vulkan support (NVIDIA: the graphics capability in containers), ' +
        `or for a CPU emulation Debian's chromium + libvulkan1 and VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`,
    );
  }
  if (index !== undefined && (index < 0 || index >= adapters.length)) {
    throw new GpuUnavailableError(`--gpu ${index}: this host has ${adapters.length} adapter(s): ${describeAdapters(adapters)}`);
  }
  const chosen = index === undefined ? undefined : adapters[index]!;
  const gpu = webgpu.create(chosen ? [`adapter=${chosen.name}`, `backend=${chosen.backend}`] : []);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new GpuUnavailableError(`requestAdapter() found none (adapters listed: ${describeAdapters(adapters)})`);
  const info = adapter.info;
  const listed = chosen ?? adapters.find((a) => !a.software) ?? adapters[0]!;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: Math.min(10, adapter.limits.maxStorageBuffersPerShaderStage),
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    },
  });
  // Dawn keeps the instance alive through the device; holding `gpu` here as well costs nothing
  Object.defineProperty(device, '__lswInstance', { value: gpu });
  const software = info.isFallbackAdapter || SOFTWARE.test(`${info.description} ${info.architecture} ${listed.name}`);
  return { device, adapter: { ...listed, software }, description: info.description || listed.name };
}

export function describeAdapters(adapters: GpuAdapterInfo[]): string {
  if (adapters.length === 0) return 'none';
  return adapters.map((a) => `${a.index}: ${a.name} (${a.backend}${a.software ? ', CPU emulation' : ''})`).join('; ');
}
