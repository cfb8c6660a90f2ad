/**
 * The packed engine's WGSL kernels, one file each under ./shaders (copied to dist by the build),
 * each prefixed with common.wgsl. Shapes and offsets reach them as pipeline-overridable
 * constants, so one compiled pipeline serves one layer of one pack.
 */
import { readFileSync } from 'node:fs';

export type KernelName =
  | 'masks'
  | 'gather'
  | 'dense-seq'
  | 'dense-seq-grad'
  | 'lstm-forward'
  | 'lstm-backward'
  | 'lstm-weight-grad'
  | 'lstm-input-grad'
  | 'head'
  | 'norm'
  | 'adam';

const sources = new Map<KernelName, string>();

function source(name: KernelName): string {
  let text = sources.get(name);
  if (text === undefined) {
    const read = (file: string) => readFileSync(new URL(`./shaders/${file}.wgsl`, import.meta.url), 'utf8');
    text = `${read('common')}\n${read(name)}`;
    sources.set(name, text);
  }
  return text;
}

const caches = new WeakMap<GPUDevice, KernelCache>();

/**
 * Compiles each kernel once per device and each pipeline once per set of constants: packs of
 * one architecture, and layers of one shape within a pack, share them (compiling is most of the
 * cost of a new pack, seconds on a software adapter).
 */
export class KernelCache {
  private readonly modules = new Map<KernelName, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  private constructor(private readonly device: GPUDevice) {}

  static of(device: GPUDevice): KernelCache {
    let cache = caches.get(device);
    if (!cache) {
      cache = new KernelCache(device);
      caches.set(device, cache);
    }
    return cache;
  }

  pipeline(name: KernelName, constants: Record<string, number | boolean>): GPUComputePipeline {
    const key = `${name} ${JSON.stringify(constants)}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.compile(name, constants);
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  private compile(name: KernelName, constants: Record<string, number | boolean>): GPUComputePipeline {
    let module = this.modules.get(name);
    if (!module) {
      module = this.device.createShaderModule({ code: source(name), label: name });
      this.modules.set(name, module);
    }
    const numeric = Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v]));
    return this.device.createComputePipeline({ layout: 'auto', label: name, compute: { module, entryPoint: 'main', constants: numeric } });
  }
}

/** Workgroups for `count` elements of a 64-wide element-wise kernel (2-D past 65,535 workgroups). */
export function elementGrid(count: number): [number, number] {
  const groups = Math.max(1, Math.ceil(count / 64));
  const x = Math.min(groups, 65_535);
  return [x, Math.ceil(groups / x)];
}
