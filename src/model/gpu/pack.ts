/**
 * A pack: up to `capacity` trainings of one architecture that run in lockstep on one
 * PackedNetwork. Each member is one training (a trial, a cross-validation fold, a refit) driven
 * by its own `trainTrial` loop through a GpuEngine; the engine's calls become requests here.
 * When every member has a request waiting, the pack flushes: one pass runs every training
 * member's step and the first chunk of every prediction, further passes the rest of the
 * predictions, and one readback answers every loss and prediction asked for. A training step
 * resolves as soon as it is submitted (nothing comes back per step); the loss is read once per
 * epoch, with the validation predictions.
 *
 * A member that stops (early stopping, pruning, its epoch budget, a failure) leaves and its slot
 * is free for the next; the others go on.
 */
import type { Split } from '../../data/types.js';
import type { NetworkPlan } from '../network-plan.js';
import { PackedNetwork, type PassMember } from './packed-network.js';

const BETA1 = 0.9;
const BETA2 = 0.999;

/** What a member trains with, fixed for its life. */
export interface MemberSetup {
  seed: number;
  dropout: number;
  recurrentDropout: number;
  clipNorm: number;
  classWeights?: number[];
  learningRate: number;
}

type Request =
  | { kind: 'train'; split: Split; rows: Int32Array; done: () => void; fail: (e: Error) => void }
  | { kind: 'loss'; done: (sum: number) => void; fail: (e: Error) => void }
  | { kind: 'predict'; split: Split; done: (p: Float32Array) => void; fail: (e: Error) => void };

export class PackMember {
  learningRate: number;
  /** steps taken: Adam's t and the dropout masks' counter */
  step = 0;
  readonly pending: Request[] = [];
  left = false;

  constructor(
    readonly pack: Pack,
    readonly slot: number,
    readonly setup: MemberSetup,
  ) {
    this.learningRate = setup.learningRate;
  }

  train(split: Split, rows: Int32Array): Promise<void> {
    return this.ask<void>((done, fail) => ({ kind: 'train', split, rows, done, fail }));
  }

  takeLoss(): Promise<number> {
    return this.ask<number>((done, fail) => ({ kind: 'loss', done, fail }));
  }

  predict(split: Split): Promise<Float32Array> {
    return this.ask<Float32Array>((done, fail) => ({ kind: 'predict', split, done, fail }));
  }

  private ask<T>(make: (done: (v: T) => void, fail: (e: Error) => void) => Request): Promise<T> {
    if (this.left) return Promise.reject(new Error('this pack member has left its pack'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push(make(resolve as (v: unknown) => void, reject));
      this.pack.poke();
    });
  }
}

export class Pack {
  private readonly members: (PackMember | undefined)[];
  private flushing = false;
  private failure: Error | undefined;
  /** validation errors are gathered in one error scope per readback (a scope per step would cost a round trip) */
  private scopeOpen = false;
  /** best-epoch parameters of every slot */
  private readonly best: GPUBuffer;

  constructor(
    readonly net: PackedNetwork,
    readonly key: string,
  ) {
    this.members = new Array<PackMember | undefined>(net.capacity).fill(undefined);
    this.best = net.snapshotBuffer();
  }

  get plan(): NetworkPlan {
    return this.net.plan;
  }

  get size(): number {
    return this.members.filter(Boolean).length;
  }

  get full(): boolean {
    return this.size === this.net.capacity;
  }

  /** A new member in a free slot, starting from `params` (the layers model's initial weights). */
  join(setup: MemberSetup, params: Float32Array): PackMember {
    const slot = this.members.findIndex((m) => m === undefined);
    if (slot < 0) throw new Error('pack is full');
    const member = new PackMember(this, slot, setup);
    this.members[slot] = member;
    this.net.resetSlot(slot);
    this.net.writeParams(slot, params);
    return member;
  }

  leave(member: PackMember): void {
    if (this.members[member.slot] !== member) return;
    member.left = true;
    for (const r of member.pending.splice(0)) r.fail(new Error('pack member left with a request pending'));
    this.members[member.slot] = undefined;
    this.poke();
  }

  snapshot(member: PackMember): void {
    this.net.copyParams(member.slot, 'save', this.best);
  }

  restore(member: PackMember): void {
    this.net.copyParams(member.slot, 'restore', this.best);
  }

  /** The member's current parameters (after everything submitted so far). */
  async params(member: PackMember): Promise<Float32Array> {
    const read = await this.net.read({ ranges: [{ buffer: 'params', slot: member.slot }] });
    return read.ranges[0]!;
  }

  /** Fails every member from now on (the device was lost). */
  fail(err: Error): void {
    this.failure = err;
    for (const m of this.members) if (m) for (const r of m.pending.splice(0)) r.fail(err);
  }

  /** Flushes once every member has a request waiting. */
  poke(): void {
    if (this.failure) return this.fail(this.failure);
    if (this.flushing) return;
    const live = this.members.filter((m): m is PackMember => m !== undefined);
    if (live.length === 0 || live.some((m) => m.pending.length === 0)) return;
    this.flushing = true;
    this.flush(live)
      .catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.flushing = false;
        this.poke();
      });
  }

  private async flush(live: PackMember[]): Promise<void> {
    const requests = live.map((m) => ({ m, rs: m.pending.splice(0) }));
    // every split resident first: uploading may re-pack the data and move earlier offsets
    for (const { rs } of requests) for (const r of rs) if (r.kind !== 'loss') this.net.data.offset(r.split);

    const B = this.net.batchSize;
    const units = this.plan.head.units;
    const passes: PassMember[][] = [[]];
    const predictions: { r: Extract<Request, { kind: 'predict' }>; at: number }[] = [];
    const losses: { r: Extract<Request, { kind: 'loss' }>; slot: number }[] = [];
    const trained: (() => void)[] = [];
    let outputFloats = 0;
    for (const { m, rs } of requests) {
      for (const r of rs) {
        if (r.kind === 'loss') losses.push({ r, slot: m.slot });
        else if (r.kind === 'train') {
          m.step++;
          const base = this.net.data.offset(r.split);
          passes[0]!.push({ ...this.common(m), mode: 'train', rows: Array.from(r.rows, (i) => base + i), step: m.step });
          trained.push(r.done);
        } else {
          const base = this.net.data.offset(r.split);
          predictions.push({ r, at: outputFloats });
          for (let start = 0, pass = 0; start < r.split.n; start += B, pass++) {
            const rows = Array.from({ length: Math.min(B, r.split.n - start) }, (_, i) => base + start + i);
            (passes[pass] ??= []).push({ ...this.common(m), mode: 'predict', rows, output: outputFloats + start * units });
          }
          outputFloats += r.split.n * units;
        }
      }
    }
    const device = this.net.device;
    if (!this.scopeOpen) device.pushErrorScope('validation');
    this.scopeOpen = true;
    this.net.ensureOutput(outputFloats);
    for (const pass of passes) if (pass.length > 0) this.net.run(pass);
    for (const done of trained) done();
    if (losses.length === 0 && predictions.length === 0) return;
    const read = await this.net.read({ lossSlots: losses.map((l) => l.slot), outputFloats });
    this.scopeOpen = false;
    const invalid = await device.popErrorScope();
    // a kernel that did not run leaves numbers that look valid: fail the pack instead
    if (invalid) throw new Error(`WebGPU refused the pack's work: ${invalid.message}`);
    for (const { r, slot } of losses) r.done(read.losses[slot]!);
    for (const { r, at } of predictions) r.done(read.output.slice(at, at + r.split.n * units));
  }

  private common(m: PackMember): Omit<PassMember, 'mode' | 'rows'> {
    const t = m.step;
    return {
      slot: m.slot,
      seed: m.setup.seed,
      step: t,
      dropout: m.setup.dropout,
      recurrentDropout: m.setup.recurrentDropout,
      masks: 'drawn',
      learningRate: m.learningRate,
      // tfjs' Adam: beta^t in float32
      correction1: 1 - Math.fround(BETA1 ** Math.max(1, t)),
      correction2: 1 - Math.fround(BETA2 ** Math.max(1, t)),
      clipNorm: m.setup.clipNorm,
      ...(m.setup.classWeights ? { classWeights: m.setup.classWeights } : {}),
    };
  }

  destroy(): void {
    this.net.destroy();
  }
}
