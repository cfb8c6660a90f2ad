/**
 * How a worker trains, decided once at its start from its flags and the host's WebGPU adapters:
 * which engine its trainers use, and whether it packs (one trainer process, up to K trials at
 * once) or sandboxes (one process per trial).
 */
import type { EngineChoice } from '../model/choices.js';
import { DEFAULT_PACK } from '../model/gpu/packer.js';
import { UserError } from '../util/errors.js';
import { describeProbe, probeAdapters, type AdapterProbe } from './gpu-probe.js';
import type { GpuAdapterInfo } from '../model/gpu/device.js';

export interface EngineRequest {
  engine: EngineChoice;
  backend: string;
  /** `--gpu N` */
  gpu?: number;
  /** `--pack K`, when given */
  pack?: number;
  /** `--concurrency`, resolved */
  concurrency: number;
}

export interface EngineDecision {
  /** what the trainers get as LSW_ENGINE */
  engine: EngineChoice;
  /** packing worker: trials per trainer process; absent: sandboxed */
  pack?: number;
  /** why, for the worker.ready line */
  fields: Record<string, unknown>;
}

export async function decideEngine(request: EngineRequest, probe: () => Promise<AdapterProbe> = probeAdapters): Promise<EngineDecision> {
  const { engine, pack } = request;
  if (engine === 'gpu') {
    const adapters = requireAdapters(await probe(), request.gpu);
    refuseConcurrency(request, '--engine gpu');
    return { engine: 'gpu', pack: pack ?? DEFAULT_PACK, fields: { adapter: adapterOf(adapters, request.gpu) } };
  }
  if (engine === 'auto' && request.backend !== 'tensorflow') {
    const found = await probe();
    const hardware = found.ok ? found.adapters.filter((a) => !a.software) : [];
    if (hardware.length > 0) {
      const adapters = requireAdapters(found, request.gpu);
      if (pack !== undefined) refuseConcurrency(request, '--pack');
      return {
        engine: 'gpu',
        pack: pack ?? DEFAULT_PACK,
        fields: {
          engineChoice: 'auto',
          adapter: adapterOf(adapters, request.gpu),
          engineReason: `a hardware WebGPU adapter is present: the gpu engine packs up to ${pack ?? DEFAULT_PACK} trials in one process${
            request.concurrency > 1 ? ` (--concurrency ${request.concurrency} unused)` : ''
          }`,
        },
      };
    }
    const reason = `no hardware WebGPU adapter (found: ${describeProbe(found)})`;
    return withPack(request, { engineChoice: 'auto', engineReason: reason });
  }
  return withPack(request, {});
}

/** fast, layers, or auto without a GPU: packed when `--pack` asks for more than one trial per process. */
function withPack(request: EngineRequest, fields: Record<string, unknown>): EngineDecision {
  if (request.pack === undefined || request.pack === 1) return { engine: request.engine, fields };
  refuseConcurrency(request, '--pack');
  return { engine: request.engine, pack: request.pack, fields };
}

/** The adapters, after checking that there is one, and `--gpu N` among them. */
function requireAdapters(probe: AdapterProbe, gpu: number | undefined): GpuAdapterInfo[] {
  if (!probe.ok) throw new UserError(`--engine gpu: ${probe.reason}`);
  if (probe.adapters.length === 0) {
    throw new UserError(
      `--engine gpu: no WebGPU adapter on this host${probe.warning ? ` (Dawn: ${probe.warning})` : ''}: install the GPU's driver with Vulkan ` +
        '(NVIDIA containers: the graphics capability), or use --engine fast',
    );
  }
  if (gpu !== undefined && gpu >= probe.adapters.length) {
    throw new UserError(`--gpu ${gpu}: this host has ${probe.adapters.length} WebGPU adapter(s): ${describeProbe(probe)}`);
  }
  return probe.adapters;
}

function adapterOf(adapters: GpuAdapterInfo[], gpu: number | undefined): string {
  const chosen = gpu === undefined ? (adapters.find((a) => !a.software) ?? adapters[0]!) : adapters[gpu]!;
  return `${chosen.index}: ${chosen.name}${chosen.software ? ' (CPU emulation)' : ''}`;
}

/** A packing worker trains in one process: `--concurrency` (processes) does not apply. */
function refuseConcurrency(request: EngineRequest, what: string): void {
  if (request.concurrency > 1) {
    throw new UserError(
      `${what} trains up to K trials at once in one trainer process; --concurrency ${request.concurrency} (one process per trial) does not combine with it: give --pack K alone`,
    );
  }
}
