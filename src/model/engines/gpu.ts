/**
 * The gpu engine: one member of a pack (../gpu/pack.ts) that trains with every other training
 * of its architecture in this process, in WGSL kernels on a WebGPU device. Like the fast engine
 * it starts from the layers model's seeded initial weights and writes the trained weights back
 * into it, so the exported model is a standard tfjs-layers model.
 *
 * Differs from the fast engine: dropout masks are drawn on the device from (seed, step) instead
 * of the fast engine's host stream, so the two engines train the same model on different masks
 * (with dropout 0 they take the same steps). Training steps return no loss: it is summed on the
 * device and read once per epoch.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Split } from '../../data/types.js';
import { copyWeightsFromModel, copyWeightsToModel } from '../fast/layers-bridge.js';
import { weightSlots } from '../fast/plan.js';
import type { PackMember } from '../gpu/pack.js';
import { processPacker, type Packer } from '../gpu/packer.js';
import { disposeModel } from '../residual-lstm.js';
import type { TrainingEngine } from './engine.js';
import type { FastEngineOptions } from './fast.js';

/** The fast engine's options (same plan, rates, seeds), and the packer to join. */
export interface GpuEngineOptions extends FastEngineOptions {
  /** default: the process's packer */
  packer?: Packer;
}

export class GpuEngine implements TrainingEngine {
  readonly name = 'gpu' as const;
  private readonly member: Promise<PackMember>;
  /** the member once joined: the synchronous calls act on it at once, in order with the steps */
  private joined: PackMember | undefined;
  private readonly packer: Packer;

  constructor(
    private readonly layersModel: tf.LayersModel,
    opts: GpuEngineOptions,
  ) {
    const slots = weightSlots(opts.plan);
    const params = new Float32Array(slots.reduce((s, w) => s + w.size, 0));
    copyWeightsFromModel({ slots, params }, layersModel);
    this.packer = opts.packer ?? processPacker();
    this.member = this.packer.join(
      opts.plan,
      opts.batchSize,
      {
        seed: opts.seed,
        dropout: opts.plan.dropout,
        recurrentDropout: opts.plan.recurrentDropout,
        clipNorm: opts.clipNorm ?? 0,
        learningRate: opts.learningRate,
        ...(opts.classWeights ? { classWeights: opts.classWeights } : {}),
      },
      params,
    );
    // a failed join surfaces at the first call; never as an unhandled rejection
    this.member.then((m) => (this.joined = m)).catch(() => undefined);
  }

  async trainBatch(split: Split, indices: Int32Array, start: number, end: number): Promise<void> {
    // copied now: the caller reuses and reshuffles `indices`
    const rows = indices.slice(start, end);
    await (await this.member).train(split, rows);
  }

  async takeLossSum(): Promise<number> {
    return (await this.member).takeLoss();
  }

  /** Runs `fn` on the member now if it has joined, else as soon as it does (before any step of it). */
  private withMember(fn: (m: PackMember) => void): void {
    if (this.joined) fn(this.joined);
    else void this.member.then(fn).catch(() => undefined);
  }

  setLearningRate(learningRate: number): void {
    this.withMember((m) => (m.learningRate = learningRate));
  }

  async predict(split: Split): Promise<Float32Array> {
    return (await this.member).predict(split);
  }

  snapshot(): void {
    this.withMember((m) => m.pack.snapshot(m));
  }

  restore(): void {
    this.withMember((m) => m.pack.restore(m));
  }

  async model(): Promise<tf.LayersModel> {
    const member = await this.member;
    const params = await member.pack.params(member);
    copyWeightsToModel({ slots: weightSlots(member.pack.plan), params }, this.layersModel);
    return this.layersModel;
  }

  release(keepModel: boolean): void {
    this.withMember((m) => this.packer.leave(m));
    if (!keepModel) disposeModel(this.layersModel);
  }
}
