/**
 * The process's packs: one WebGPU device (adapter `LSW_GPU_ADAPTER`, default Dawn's first
 * high-performance one), and for every architecture the packs its trainings share. A training
 * joins the first pack of its architecture with a free slot, else a new one of `capacity` slots
 * (`worker --pack K`). Architecture = everything the kernels are compiled for:
 * the network plan without its dropout rates (per member), and the batch size.
 */
import type { NetworkPlan } from '../network-plan.js';
import { openGpu, type GpuContext } from './device.js';
import { Pack, type MemberSetup, type PackMember } from './pack.js';
import { PackedNetwork } from './packed-network.js';

/** Slots of a new pack when `--pack` is not given: enough to fill a GPU with small LSTMs, few enough for any GPU's memory. */
export const DEFAULT_PACK = 16;

export interface PackerOptions {
  /** WebGPU adapter index (`--gpu N`) */
  adapter?: number;
  /** members per pack */
  capacity: number;
}

export class Packer {
  private context: Promise<GpuContext> | undefined;
  private readonly packs = new Map<string, Pack[]>();
  private readonly creating = new Map<string, Promise<Pack>>();

  constructor(private readonly opts: PackerOptions) {}

  gpu(): Promise<GpuContext> {
    this.context ??= openGpu(this.opts.adapter).then((ctx) => {
      void ctx.device.lost.then((info) => {
        const err = new Error(`the WebGPU device was lost: ${info.message || info.reason}`);
        for (const list of this.packs.values()) for (const p of list) p.fail(err);
      });
      return ctx;
    });
    return this.context;
  }

  async join(plan: NetworkPlan, batchSize: number, setup: MemberSetup, params: Float32Array): Promise<PackMember> {
    const { device } = await this.gpu();
    const { dropout: _d, recurrentDropout: _r, ...shape } = plan;
    const key = JSON.stringify({ shape, batchSize });
    for (;;) {
      const open = (this.packs.get(key) ?? []).find((p) => !p.full);
      if (open) return open.join(setup, params);
      // trainings that start together wait for one new pack instead of making one each
      let creating = this.creating.get(key);
      if (!creating) {
        creating = this.create(device, plan, batchSize, key).finally(() => this.creating.delete(key));
        this.creating.set(key, creating);
      }
      await creating;
    }
  }

  private async create(device: GPUDevice, plan: NetworkPlan, batchSize: number, key: string): Promise<Pack> {
    device.pushErrorScope('out-of-memory');
    const net = new PackedNetwork(device, plan, { capacity: this.opts.capacity, batchSize });
    const oom = await device.popErrorScope();
    if (oom) {
      net.destroy();
      throw new Error(
        `the GPU has no memory for a pack of ${this.opts.capacity} trials of this size (${oom.message}): use a smaller --pack`,
      );
    }
    const pack = new Pack(net, key);
    this.packs.set(key, [...(this.packs.get(key) ?? []), pack]);
    return pack;
  }

  /** Leaves the member's pack; a pack left empty frees its device memory. */
  leave(member: PackMember): void {
    const pack = member.pack;
    pack.leave(member);
    if (pack.size > 0) return;
    const list = this.packs.get(pack.key) ?? [];
    this.packs.set(
      pack.key,
      list.filter((p) => p !== pack),
    );
    pack.destroy();
  }
}

let shared: Packer | undefined;
let settings: PackerOptions = { capacity: DEFAULT_PACK };

/**
 * Sets how this process packs (the trainer reads `--pack` and `--gpu` from its validated
 * environment and calls this before training); only before the first training.
 */
export function configureProcessPacker(opts: PackerOptions): void {
  if (shared) throw new Error('the process packer is already in use');
  settings = opts;
}

/** The process-wide packer. */
export function processPacker(): Packer {
  shared ??= new Packer(settings);
  return shared;
}
