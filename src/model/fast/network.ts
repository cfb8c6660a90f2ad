/**
 * The fast engine's network: the same residual LSTM as `buildModel` (both read the network
 * plan, ../network-plan.ts), computed by the wasm kernels over one flat memory instead of one
 * tfjs op at a time. Sequences are stored time-major, (T, n, size), so each step's rows are
 * contiguous and every product that does not depend on the recurrence (input projection,
 * x W for all steps, weight gradients) is one large GEMM over T * n rows.
 *
 * Semantics follow tfjs-layers/Keras exactly: gates [i | f | c | o], unit forget bias
 * (from the initial weights), dropout and recurrent dropout as one mask per gate held for
 * the whole sequence, binary / sparse categorical cross-entropy with tfjs' clipping, and
 * tfjs' Adam. test/fast-engine.test.ts checks outputs, loss and gradients against the
 * layers model.
 */
import { createRng, type Rng } from '../../util/rng.js';
import { Arena, instantiateKernels, type KernelExports } from './kernel-module.js';
import { sequenceShape, type DenseHeadPlan, type LstmPlan, type NetworkPlan } from '../network-plan.js';
import { denseHead, lstmLayers, weightSlots, type WeightSlot } from './plan.js';

const EPSILON = 1e-7;

interface LayerBuffers {
  plan: LstmPlan;
  /** parameter offsets (bytes) */
  wk: number;
  wr: number;
  bias: number;
  /** gradient offsets (bytes) */
  dwk: number;
  dwr: number;
  dbias: number;
  gates: number;
  h: number;
  c: number;
  ac: number;
  /** the layer's output: a sequence (T, n, U) or, without returnSequences, a vector (n, U) */
  out: number;
  /** input of the last forward pass */
  input: number;
  dmask: number;
  rmask: number;
  wkT: number;
  wrT: number;
}

/** Byte offsets of a Dense layer's weights and gradients (input projection, head). */
interface DenseBuffers {
  kernel: number;
  bias: number;
  dKernel: number;
  dBias: number;
}

export interface NetworkOptions {
  /** largest number of samples per forward/backward call */
  maxBatch: number;
  /** seed of the dropout masks */
  seed: number;
}

export class FastNetwork {
  readonly slots: WeightSlot[];
  readonly paramCount: number;
  /** the flat parameters, in `slots` order; valid until the network is dropped */
  readonly params: Float32Array;
  readonly grads: Float32Array;
  private readonly k: KernelExports;
  private readonly arena: Arena;
  private readonly layers: LayerBuffers[] = [];
  private readonly projection: DenseBuffers | null;
  private readonly head: DenseBuffers | null;
  /** the Dense (sigmoid / softmax) head; null with the lstm head, the last of `layers` */
  private readonly headPlan: DenseHeadPlan | null;
  private readonly rng: Rng;
  /** time steps and features of the sequence the stack reads (the patched input under `patch`) */
  private readonly T: number;
  private readonly F: number;
  private readonly maxBatch: number;
  private readonly ptr: Record<
    | 'params'
    | 'grads'
    | 'm'
    | 'v'
    | 'x'
    | 'proj'
    | 'dA'
    | 'dB'
    | 'dH'
    | 'dZ'
    | 'seqTmp'
    | 'hm'
    | 'dc'
    | 'tmp'
    | 'logits'
    | 'dlogits'
    | 'dvec'
    | 'denseT',
    number
  >;
  private readonly masks: Float32Array[] = [];
  private n = 0;
  private adamStep = 0;
  private readonly m: Float32Array;
  private readonly v: Float32Array;

  constructor(
    readonly plan: NetworkPlan,
    opts: NetworkOptions,
  ) {
    this.k = instantiateKernels();
    this.arena = new Arena(this.k);
    this.rng = createRng(opts.seed);
    const seq = sequenceShape(plan);
    this.T = seq.timesteps;
    this.F = seq.features;
    this.maxBatch = opts.maxBatch;
    this.slots = weightSlots(plan);
    this.paramCount = this.slots.reduce((s, w) => s + w.size, 0);
    const a = this.arena;
    const B = opts.maxBatch;
    const TB = this.T * B;
    const lstms = lstmLayers(plan);
    const headPlan = denseHead(plan);
    this.headPlan = headPlan;
    const F = this.F;
    const widest = Math.max(F, plan.projection?.units ?? 0, ...lstms.map((l) => Math.max(l.inputSize, l.units)));
    const maxU = Math.max(...lstms.map((l) => l.units));
    const headUnits = plan.head.units;
    this.ptr = {
      params: a.reserve(this.paramCount),
      grads: a.reserve(this.paramCount),
      m: a.reserve(this.paramCount),
      v: a.reserve(this.paramCount),
      x: a.reserve(TB * F),
      proj: a.reserve(plan.projection === null ? 0 : TB * plan.projection.units),
      dA: a.reserve(TB * widest),
      dB: a.reserve(TB * widest),
      dH: a.reserve(TB * maxU),
      dZ: a.reserve(TB * 4 * maxU),
      seqTmp: a.reserve(TB * widest),
      hm: a.reserve(B * maxU),
      dc: a.reserve(B * maxU),
      tmp: a.reserve(B * maxU),
      logits: a.reserve(B * headUnits),
      dlogits: a.reserve(B * headUnits),
      dvec: a.reserve(B * widest),
      denseT: a.reserve(headPlan ? headPlan.inputSize * headPlan.units : 0),
    };
    const denseAt = (layer: string): DenseBuffers => ({
      kernel: this.slotPtr(layer, 0, 'params'),
      bias: this.slotPtr(layer, 1, 'params'),
      dKernel: this.slotPtr(layer, 0, 'grads'),
      dBias: this.slotPtr(layer, 1, 'grads'),
    });
    this.projection = plan.projection === null ? null : denseAt(plan.projection.name);
    this.head = headPlan ? denseAt(headPlan.name) : null;
    for (const l of lstms) {
      const G = 4 * l.units;
      this.layers.push({
        plan: l,
        wk: this.slotPtr(l.name, 0, 'params'),
        wr: this.slotPtr(l.name, 1, 'params'),
        bias: this.slotPtr(l.name, 2, 'params'),
        dwk: this.slotPtr(l.name, 0, 'grads'),
        dwr: this.slotPtr(l.name, 1, 'grads'),
        dbias: this.slotPtr(l.name, 2, 'grads'),
        gates: a.reserve(TB * G),
        h: a.reserve(TB * l.units),
        c: a.reserve(TB * l.units),
        ac: a.reserve(TB * l.units),
        out: l.returnSequences && l.skip ? a.reserve(TB * l.units) : !l.returnSequences ? a.reserve(B * l.units) : -1,
        input: 0,
        dmask: plan.dropout > 0 ? a.reserve(4 * B * l.inputSize) : 0,
        rmask: plan.recurrentDropout > 0 ? a.reserve(4 * B * l.units) : 0,
        wkT: a.reserve(G * l.inputSize),
        wrT: a.reserve(G * l.units),
      });
    }
    a.commit();
    for (const l of this.layers) if (l.out === -1) l.out = l.h;
    this.params = a.view(this.ptr.params, this.paramCount);
    this.grads = a.view(this.ptr.grads, this.paramCount);
    this.m = a.view(this.ptr.m, this.paramCount);
    this.v = a.view(this.ptr.v, this.paramCount);
  }

  private f32(ptr: number, floats: number): Float32Array {
    return this.arena.view(ptr, floats);
  }

  /** Byte offset of a weight tensor (or its gradient); looked up once, in the constructor. */
  private slotPtr(layer: string, index: number, base: 'params' | 'grads'): number {
    const slot = this.slots.find((s) => s.layer === layer && s.index === index)!;
    return this.ptr[base] + slot.offset * 4;
  }

  /**
   * Loads samples `rows` of a batch-major (N, T, F) array as the next input (time-major).
   * `rows` may be a list of indices or a contiguous [start, end) range. Under `patch` the
   * patched step t holds raw values [t * P * F, (t + 1) * P * F) of the row (row-major
   * reshape), zeros past its end: the same values as the layers model's pad + reshape.
   */
  setInput(x: Float32Array, rows: ArrayLike<number>): void {
    const n = rows.length;
    if (n < 1 || n > this.maxBatch) throw new Error(`batch of ${n} outside 1..${this.maxBatch}`);
    this.n = n;
    const { T, F } = this;
    const dst = this.f32(this.ptr.x, T * n * F);
    const row = this.plan.input.timesteps * this.plan.input.features;
    for (let b = 0; b < n; b++) {
      const src = rows[b]! * row;
      for (let t = 0; t < T; t++) {
        const d = (t * n + b) * F;
        const valid = Math.min(F, row - t * F);
        const s = src + t * F;
        for (let f = 0; f < valid; f++) dst[d + f] = x[s + f]!;
        for (let f = Math.max(0, valid); f < F; f++) dst[d + f] = 0;
      }
    }
  }

  private fillMask(ptr: number, count: number, rate: number): void {
    const mask = this.f32(ptr, count);
    const scale = 1 / (1 - rate);
    for (let i = 0; i < count; i++) mask[i] = this.rng() >= rate ? scale : 0;
  }

  /**
   * Forward pass over the current input; returns the probabilities (n, units) as a view
   * (valid until the next call). `training` applies dropout with fresh masks, or with the
   * previous call's masks when `freshMasks` is false (gradient checks).
   */
  forward(training: boolean, freshMasks = true): Float32Array {
    const { k, plan, T, n } = this;
    const TN = T * n;
    let cur = this.ptr.x;
    let size = this.F;
    const proj = this.projection;
    if (plan.projection !== null && proj) {
      const W = plan.projection.units;
      k.gemm(TN, W, size, cur, size, 1, proj.kernel, W, this.ptr.proj, W, 0);
      k.addBias(TN, W, this.ptr.proj, W, proj.bias);
      cur = this.ptr.proj;
      size = W;
    }
    for (const L of this.layers) {
      const { inputSize: I, units: U } = L.plan;
      const G = 4 * U;
      L.input = cur;
      const dropIn = training && plan.dropout > 0;
      const dropRec = training && plan.recurrentDropout > 0;
      if (dropIn) {
        if (freshMasks) this.fillMask(L.dmask, 4 * n * I, plan.dropout);
        for (let g = 0; g < 4; g++) {
          k.maskSeq(T, n, I, cur, L.dmask + g * n * I * 4, this.ptr.seqTmp);
          k.gemm(TN, U, I, this.ptr.seqTmp, I, 1, L.wk + g * U * 4, G, L.gates + g * U * 4, G, 0);
        }
      } else {
        k.gemm(TN, G, I, cur, I, 1, L.wk, G, L.gates, G, 0);
      }
      k.addBias(TN, G, L.gates, G, L.bias);
      if (dropRec && freshMasks) this.fillMask(L.rmask, 4 * n * U, plan.recurrentDropout);
      k.lstmForward(T, n, U, L.gates, L.wr, L.h, L.c, L.ac, dropRec ? L.rmask : 0, this.ptr.hm, L.plan.activation === 'tanh' ? 0 : 1);
      const lastH = L.h + (T - 1) * n * U * 4;
      if (L.plan.returnSequences) {
        if (L.plan.skip) {
          this.f32(L.out, TN * U).set(this.f32(L.h, TN * U));
          k.addScaled(TN * U, L.out, cur, 0);
        }
      } else {
        this.f32(L.out, n * U).set(this.f32(lastH, n * U));
        if (L.plan.skip) k.addScaled(n * U, L.out, cur + (T - 1) * n * I * 4, 0);
      }
      cur = L.out;
      size = U;
    }
    const head = this.head;
    const dense = this.headPlan;
    if (!dense || !head) return this.f32(cur, n);
    const units = dense.units;
    k.gemm(n, units, size, cur, size, 1, head.kernel, units, this.ptr.logits, units, 0);
    k.addBias(n, units, this.ptr.logits, units, head.bias);
    const p = this.f32(this.ptr.logits, n * units);
    if (dense.activation === 'sigmoid') {
      for (let i = 0; i < n; i++) p[i] = 1 / (1 + Math.exp(-p[i]!));
    } else {
      for (let i = 0; i < n; i++) softmaxRow(p, i * units, units);
    }
    return p;
  }

  /**
   * Loss of the last forward pass against `labels` (class indices, one per sample) and the
   * gradients of every parameter into `grads`. `weights` (one per sample) scales each
   * sample's loss; the mean is over the samples as in tfjs (sum of weighted losses / n).
   */
  backward(labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
    const { k, plan, T, n } = this;
    const TN = T * n;
    const dense = this.headPlan;
    const units = plan.head.units;
    const probs = this.f32(dense ? this.ptr.logits : this.layers.at(-1)!.out, n * units);
    const dl = this.f32(this.ptr.dlogits, n * units);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const y = labels[i]!;
      const w = weights ? weights[i]! : 1;
      if (plan.head.loss === 'binaryCrossentropy') {
        const p = probs[i]!;
        const pc = Math.min(1 - EPSILON, Math.max(EPSILON, p));
        loss -= w * (y * Math.log(pc) + (1 - y) * Math.log(1 - pc));
        const inside = p > EPSILON && p < 1 - EPSILON;
        // dense: d/dlogit = p - y; lstm head: d/dp = (p - y) / (p (1 - p))
        dl[i] = !inside ? 0 : dense ? (w * (p - y)) / n : (w * (p - y)) / (p * (1 - p)) / n;
      } else {
        const py = probs[i * units + y]!;
        loss -= w * Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, py)));
        const inside = py > EPSILON && py < 1 - EPSILON;
        for (let j = 0; j < units; j++) dl[i * units + j] = inside ? (w * (probs[i * units + j]! - (j === y ? 1 : 0))) / n : 0;
      }
    }
    let dvec = this.ptr.dlogits;
    if (dense && this.head) {
      const head = this.head;
      const W = dense.inputSize;
      const vec = this.layers.at(-1)!.out;
      k.gemm(W, units, n, vec, 1, W, this.ptr.dlogits, units, head.dKernel, units, 0);
      k.colSum(n, units, this.ptr.dlogits, units, head.dBias, 0);
      k.transpose(W, units, head.kernel, this.ptr.denseT);
      k.gemm(n, W, units, this.ptr.dlogits, units, 1, this.ptr.denseT, W, this.ptr.dvec, W, 0);
      dvec = this.ptr.dvec;
    }
    let dA = this.ptr.dA;
    let dB = this.ptr.dB;
    for (let li = this.layers.length - 1; li >= 0; li--) {
      const L = this.layers[li]!;
      const { inputSize: I, units: U } = L.plan;
      const G = 4 * U;
      const dH = this.f32(this.ptr.dH, TN * U);
      if (!L.plan.returnSequences) {
        dH.fill(0);
        dH.set(this.f32(dvec, n * U), (T - 1) * n * U);
      } else {
        dH.set(this.f32(dA, TN * U));
      }
      const dropIn = plan.dropout > 0;
      const dropRec = plan.recurrentDropout > 0;
      const act = L.plan.activation === 'tanh' ? 0 : 1;
      k.transpose(U, G, L.wr, L.wrT);
      k.lstmBackward(T, n, U, L.gates, L.c, L.ac, L.wrT, dropRec ? L.rmask : 0, this.ptr.dH, this.ptr.dZ, this.ptr.dc, this.ptr.tmp, act);
      const dZ = this.ptr.dZ;
      // kernel gradient: x^T dZ (x masked per gate under dropout)
      if (dropIn) {
        for (let g = 0; g < 4; g++) {
          k.maskSeq(T, n, I, L.input, L.dmask + g * n * I * 4, this.ptr.seqTmp);
          k.gemm(I, U, TN, this.ptr.seqTmp, 1, I, dZ + g * U * 4, G, L.dwk + g * U * 4, G, 0);
        }
      } else {
        k.gemm(I, G, TN, L.input, 1, I, dZ, G, L.dwk, G, 0);
      }
      // recurrent kernel gradient: h_{t-1}^T dZ_t summed over t >= 1
      if (T === 1) {
        this.f32(L.dwr, U * G).fill(0);
      } else if (dropRec) {
        for (let g = 0; g < 4; g++) {
          k.maskSeq(T - 1, n, U, L.h, L.rmask + g * n * U * 4, this.ptr.seqTmp);
          k.gemm(U, U, (T - 1) * n, this.ptr.seqTmp, 1, U, dZ + (n * G + g * U) * 4, G, L.dwr + g * U * 4, G, 0);
        }
      } else {
        k.gemm(U, G, (T - 1) * n, L.h, 1, U, dZ + n * G * 4, G, L.dwr, G, 0);
      }
      k.colSum(TN, G, dZ, G, L.dbias, 0);
      if (li === 0 && plan.projection === null) break;
      // gradient w.r.t. the layer input: dZ W^T (+ the skip connection)
      k.transpose(I, G, L.wk, L.wkT);
      if (dropIn) {
        this.f32(dB, TN * I).fill(0);
        for (let g = 0; g < 4; g++) {
          k.gemm(TN, I, U, dZ + g * U * 4, G, 1, L.wkT + g * U * I * 4, I, this.ptr.seqTmp, I, 0);
          k.maskSeq(T, n, I, this.ptr.seqTmp, L.dmask + g * n * I * 4, this.ptr.seqTmp);
          k.addScaled(TN * I, dB, this.ptr.seqTmp, 0);
        }
      } else {
        k.gemm(TN, I, G, dZ, G, 1, L.wkT, I, dB, I, 0);
      }
      if (L.plan.skip) {
        if (L.plan.returnSequences) k.addScaled(TN * U, dB, dA, 0);
        else k.addScaled(n * U, dB + (T - 1) * n * I * 4, dvec, 0);
      }
      [dA, dB] = [dB, dA];
    }
    if (plan.projection !== null && this.projection) {
      const W = plan.projection.units;
      const F = this.F;
      k.gemm(F, W, TN, this.ptr.x, 1, F, dA, W, this.projection.dKernel, W, 0);
      k.colSum(TN, W, dA, W, this.projection.dBias, 0);
    }
    return loss / n;
  }

  /**
   * The dropout masks of layer `i`'s last training forward pass: (4, n, inputSize) on the input and
   * (4, n, units) on the recurrent state, null where that dropout is off. Views, valid until the
   * next pass (the gpu engine's exactness tests replay them).
   */
  lastMasks(i: number): { input: Float32Array | null; recurrent: Float32Array | null } {
    const L = this.layers[i]!;
    const { inputSize: I, units: U } = L.plan;
    return {
      input: this.plan.dropout > 0 ? this.f32(L.dmask, 4 * this.n * I) : null,
      recurrent: this.plan.recurrentDropout > 0 ? this.f32(L.rmask, 4 * this.n * U) : null,
    };
  }

  /** Scales the gradients so that their global L2 norm is at most `maxNorm`; returns the norm before. */
  clipGradients(maxNorm: number): number {
    let sum = 0;
    for (let i = 0; i < this.paramCount; i++) sum += this.grads[i]! ** 2;
    const norm = Math.sqrt(sum);
    if (norm > maxNorm) {
      const scale = maxNorm / norm;
      for (let i = 0; i < this.paramCount; i++) this.grads[i]! *= scale;
    }
    return norm;
  }

  /** One step of tfjs' Adam over all parameters with the gradients of the last backward. */
  adam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = EPSILON): void {
    this.adamStep++;
    const acc1 = Math.fround(beta1 ** this.adamStep);
    const acc2 = Math.fround(beta2 ** this.adamStep);
    this.k.adam(
      this.paramCount,
      this.ptr.params,
      this.ptr.grads,
      this.ptr.m,
      this.ptr.v,
      learningRate,
      beta1,
      beta2,
      epsilon,
      1 - acc1,
      1 - acc2,
    );
  }

  /** Probabilities for rows [0, n) of a batch-major array, in chunks of maxBatch. */
  predict(x: Float32Array, count: number): Float32Array {
    const units = this.plan.head.units;
    const out = new Float32Array(count * units);
    for (let start = 0; start < count; start += this.maxBatch) {
      const end = Math.min(count, start + this.maxBatch);
      this.setInput(x, range(start, end));
      out.set(this.forward(false), start * units);
    }
    return out;
  }
}

function softmaxRow(p: Float32Array, offset: number, units: number): void {
  let max = -Infinity;
  for (let j = 0; j < units; j++) max = Math.max(max, p[offset + j]!);
  let sum = 0;
  for (let j = 0; j < units; j++) {
    const e = Math.exp(p[offset + j]! - max);
    p[offset + j] = e;
    sum += e;
  }
  for (let j = 0; j < units; j++) p[offset + j] = p[offset + j]! / sum;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}
