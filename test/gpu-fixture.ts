/**
 * The WebGPU adapter of the tests: SwiftShader, the CPU Vulkan driver of Debian's chromium
 * package (installed by .ci/run). A machine without it fails these tests with the reason: they
 * must never pass by skipping.
 */
import { openGpu, swiftShaderEnv, type GpuContext } from '../src/model/gpu/device.js';

/** The environment of a child process that must see the SwiftShader adapter. */
export function gpuTestEnv(): Record<string, string> {
  const env = swiftShaderEnv();
  if (!env)
    throw new Error('no SwiftShader Vulkan driver (/usr/lib/chromium/vk_swiftshader_icd.json): apt-get install chromium libvulkan1');
  return env;
}

/** Opens the SwiftShader adapter in this process. */
export async function openTestGpu(): Promise<GpuContext> {
  Object.assign(process.env, gpuTestEnv());
  return openGpu();
}
