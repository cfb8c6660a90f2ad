/**
 * K networks of one architecture (a pack) on one WebGPU device: the same residual LSTM as the
 * fast engine (both read the network plan), every member with its own parameters, Adam moments,
 * dropout masks, learning rate, clipping and class weights in slot-major buffers. A pass runs
 * every member's batch in a few dispatches per layer: the time loop lives inside the LSTM
 * kernels (forward and backward), so a step is ~4 dispatches per layer whatever T is.
 *
 * Members are independent: each workgroup or invocation reads and writes one member's slot only,
 * and its dropout masks depend on its own seed and step, so a member computes exactly the same
 * thing packed or alone (test/unit/model/gpu-engine.test.ts).
 */
import { sequenceShape, type NetworkPlan } from '../network-plan.js';
import { denseHead, lstmLayers, weightSlots, type WeightSlot } from '../fast/plan.js';
import { elementGrid, KernelCache } from './shaders.js';
import { ResidentData } from './resident-data.js';

const F32 = 4;
const NO_OUTPUT = 0xffffffff;
/** member metadata fields before the class weights (common.wgsl M_*) */
const META_FIXED = 13;

export type PassMode = 'train' | 'grad' | 'predict';
const MODE_CODE: Record<PassMode, number> = { train: 1, predict: 2, grad: 3 };
/** how a member's dropout masks are made: all ones, drawn on the device, or kept as the host wrote them */
export type MaskSource = 'ones' | 'drawn' | 'kept';
const MASK_CODE: Record<MaskSource, number> = { ones: 0, drawn: 1, kept: 2 };

export interface PassMember {
  slot: number;
  mode: PassMode;
  /** rows of the resident data (ResidentData offsets), at most the batch size */
  rows: ArrayLike<number>;
  /** where this pass's probabilities go in the output buffer (floats); absent: not kept */
  output?: number;
  seed: number;
  /** the member's step counter: the masks it draws depend on it */
  step: number;
  dropout: number;
  recurrentDropout: number;
  masks: MaskSource;
  learningRate: number;
  /** Adam's bias corrections 1 - beta^t of this step */
  correction1: number;
  correction2: number;
  clipNorm: number;
  classWeights?: ArrayLike<number>;
}

interface LayerGpu {
  forward: GPUBindGroup;
  backward: GPUBindGroup;
  weightGrad: GPUBindGroup;
  inputGrad: GPUBindGroup | null;
  pipelines: {
    forward: GPUComputePipeline;
    backward: GPUComputePipeline;
    weightGrad: GPUComputePipeline;
    inputGrad: GPUComputePipeline | null;
  };
  weightGridSize: number;
  inputGridSize: number;
}

export interface PackShape {
  /** members the pack holds at most */
  capacity: number;
  /** batch rows per member and pass */
  batchSize: number;
}

export class PackedNetwork {
  readonly slots: WeightSlot[];
  readonly paramCount: number;
  readonly data: ResidentData;
  readonly capacity: number;
  readonly batchSize: number;
  private readonly metaStride: number;
  private readonly metaHost: Uint32Array<ArrayBuffer>;
  private readonly metaFloats: Float32Array<ArrayBuffer>;
  private readonly rowsHost: Uint32Array<ArrayBuffer>;
  private readonly kernels: KernelCache;
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly layers: LayerGpu[] = [];
  private readonly pipelines: Record<'masks' | 'gather' | 'head' | 'norm' | 'adam', GPUComputePipeline>;
  private projectionGpu: { forward: GPUBindGroup; grad: GPUBindGroup; fwdPipe: GPUComputePipeline; gradPipe: GPUComputePipeline } | null =
    null;
  private gatherGroup: GPUBindGroup | null = null;
  /** bind groups whose buffers never change */
  private readonly fixed: Record<'masks' | 'norm' | 'adam', GPUBindGroup>;
  private gatherVersion = -1;
  private headGroup: GPUBindGroup | null = null;
  private outputFloats = 0;
  private readonly seq: { T: number; F: number };
  private readonly maskRow: number;
  private readonly maskIn: number;

  constructor(
    readonly device: GPUDevice,
    readonly plan: NetworkPlan,
    shape: PackShape,
  ) {
    this.capacity = shape.capacity;
    this.batchSize = shape.batchSize;
    this.slots = weightSlots(plan);
    this.paramCount = this.slots.reduce((s, w) => s + w.size, 0);
    this.metaStride = META_FIXED + plan.classes;
    this.metaHost = new Uint32Array(this.capacity * this.metaStride);
    this.metaFloats = new Float32Array(this.metaHost.buffer);
    this.rowsHost = new Uint32Array(this.capacity * this.batchSize);
    this.kernels = KernelCache.of(device);
    this.seq = { T: sequenceShape(plan).timesteps, F: sequenceShape(plan).features };
    this.data = new ResidentData(device, plan.input.timesteps * plan.input.features);
    const lstms = lstmLayers(plan);
    this.maskIn = lstms.reduce((s, l) => s + 4 * l.inputSize, 0);
    this.maskRow = this.maskIn + lstms.reduce((s, l) => s + 4 * l.units, 0);
    this.pipelines = this.buildCommonPipelines();
    this.allocate();
    this.buildLayers();
    const b = (name: string) => this.buffers.get(name)!;
    this.fixed = {
      masks: this.group(this.pipelines.masks, [b('meta'), b('masks')]),
      norm: this.group(this.pipelines.norm, [b('meta'), b('grads'), b('norms')]),
      adam: this.group(this.pipelines.adam, [b('meta'), b('norms'), b('grads'), b('params'), b('m'), b('v'), b('loss')]),
    };
  }

  private get common(): Record<string, number> {
    return { META_STRIDE: this.metaStride, B: this.batchSize };
  }

  private slotOffset(layer: string, index: number): number {
    return this.slots.find((s) => s.layer === layer && s.index === index)!.offset;
  }

  private buffer(name: string, floats: number, usage = 0): GPUBuffer {
    const existing = this.buffers.get(name);
    if (existing) return existing;
    const bytes = floats * F32;
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (bytes > limit) {
      throw new Error(
        `a pack of ${this.capacity} trials needs ${(bytes / 2 ** 20).toFixed(0)} MiB for its ${name} buffer and this GPU binds at most ` +
          `${(limit / 2 ** 20).toFixed(0)} MiB: use a smaller --pack (or batch size)`,
      );
    }
    const buffer = this.device.createBuffer({
      label: name,
      size: Math.max(16, Math.ceil((floats * F32) / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | usage,
    });
    this.buffers.set(name, buffer);
    return buffer;
  }

  private get rowsPerPass(): number {
    return this.capacity * this.batchSize;
  }

  private allocate(): void {
    const { plan } = this;
    const KB = this.rowsPerPass;
    const { T, F } = this.seq;
    const P = this.capacity * this.paramCount;
    for (const name of ['params', 'grads', 'm', 'v']) this.buffer(name, P);
    this.buffer('meta', this.capacity * this.metaStride);
    this.buffer('rows', KB);
    this.buffer('norms', this.capacity);
    // per member: the loss summed since the last read, then a flag set when it went non-finite
    this.buffer('loss', 2 * this.capacity);
    this.buffer('ybatch', KB);
    this.buffer('xin', KB * T * F);
    this.buffer('masks', KB * this.maskRow);
    const lstms = lstmLayers(plan);
    const maxU = Math.max(...lstms.map((l) => l.units));
    const widest = Math.max(F, plan.projection?.units ?? 0, ...lstms.map((l) => Math.max(l.inputSize, l.units)));
    this.buffer('dz', KB * T * 4 * maxU);
    this.buffer('dseqA', KB * T * widest);
    this.buffer('dseqB', KB * T * widest);
    this.buffer('dvec', KB * widest);
    this.buffer('probs', KB * plan.head.units);
    this.buffer('dlogits', KB * plan.head.units);
    this.buffer('dummy', 4);
    if (plan.projection) this.buffer('proj', KB * T * plan.projection.units);
    lstms.forEach((l, i) => {
      this.buffer(`gates${i}`, KB * T * 4 * l.units);
      this.buffer(`cell${i}`, KB * T * l.units);
      this.buffer(`h${i}`, KB * T * l.units);
      if (l.returnSequences && l.skip) this.buffer(`out${i}`, KB * T * l.units);
      if (!l.returnSequences) this.buffer(`out${i}`, KB * l.units);
    });
    this.ensureOutput(KB * plan.head.units);
  }

  /** A small uniform buffer of u32 values (a layer's offsets). */
  private uniform(name: string, values: number[]): GPUBuffer {
    const buffer = this.device.createBuffer({
      label: name,
      size: Math.ceil((values.length * 4) / 16) * 16,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(buffer, 0, Uint32Array.from(values));
    this.buffers.set(name, buffer);
    return buffer;
  }

  /** The sequence layer `i` reads (the next layer's input is this layer's output). */
  private layerInput(i: number): GPUBuffer {
    if (i === 0) return this.plan.projection ? this.buffers.get('proj')! : this.buffers.get('xin')!;
    return this.layerOutput(i - 1);
  }

  private layerOutput(i: number): GPUBuffer {
    const l = lstmLayers(this.plan)[i]!;
    return l.returnSequences && !l.skip ? this.buffers.get(`h${i}`)! : this.buffers.get(`out${i}`)!;
  }

  /** A bind group of `buffers` at bindings 0, 1, ... (storage buffers, then a layer's uniform offsets). */
  private group(pipeline: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  private buildCommonPipelines() {
    const { plan } = this;
    const P = this.paramCount;
    const { T, F } = this.seq;
    const dense = denseHead(plan);
    const c = this.common;
    return {
      masks: this.kernels.pipeline('masks', { ...c, MASK_ROW: this.maskRow, MASK_IN: this.maskIn, TOTAL: this.rowsPerPass * this.maskRow }),
      gather: this.kernels.pipeline('gather', {
        ...c,
        T,
        FP: F,
        RAW: plan.input.timesteps * plan.input.features,
        TOTAL: this.rowsPerPass * T * F,
      }),
      head: this.kernels.pipeline('head', {
        ...c,
        KIND: !dense ? 2 : dense.kind === 'softmax' ? 1 : 0,
        WIN: dense ? dense.inputSize : 1,
        UNITS: plan.head.units,
        P,
        SLOTS: this.capacity,
        KERNEL: dense ? this.slotOffset(dense.name, 0) : 0,
        BIAS: dense ? this.slotOffset(dense.name, 1) : 0,
      }),
      norm: this.kernels.pipeline('norm', { ...c, P }),
      adam: this.kernels.pipeline('adam', { ...c, P, SLOTS: this.capacity, TOTAL: this.capacity * P }),
    };
  }

  private buildLayers(): void {
    const { plan } = this;
    const P = this.paramCount;
    const { T } = this.seq;
    const KB = this.rowsPerPass;
    const b = (name: string) => this.buffers.get(name)!;
    const c = this.common;
    if (plan.projection) {
      const p = plan.projection;
      const consts = { ...c, T, F: this.seq.F, W: p.units, P, KERNEL: this.slotOffset(p.name, 0), BIAS: this.slotOffset(p.name, 1) };
      const fwdPipe = this.kernels.pipeline('dense-seq', { ...consts, TOTAL: KB * T * p.units });
      const gradPipe = this.kernels.pipeline('dense-seq-grad', { ...consts, TOTAL: this.capacity * (this.seq.F + 1) * p.units });
      this.projectionGpu = {
        fwdPipe,
        gradPipe,
        forward: this.group(fwdPipe, [b('meta'), b('params'), b('xin'), b('proj')]),
        // layer 0's input gradient lands in dseq of its parity (see backward)
        grad: this.group(gradPipe, [b('meta'), b('xin'), this.inputGradTarget(0), b('grads')]),
      };
    }
    let mi = 0;
    let mr = this.maskIn;
    lstmLayers(plan).forEach((l, i) => {
      const G = 4 * l.units;
      const consts = {
        ...c,
        T,
        I: l.inputSize,
        U: l.units,
        P,
        ACT: l.activation === 'tanh' ? 0 : 1,
        RETSEQ: l.returnSequences,
        SKIP: l.skip,
        MASK_ROW: this.maskRow,
      };
      const offsets = this.uniform(`offsets${i}`, [
        this.slotOffset(l.name, 0),
        this.slotOffset(l.name, 1),
        this.slotOffset(l.name, 2),
        mi,
        mr,
      ]);
      const pick = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, (consts as Record<string, number | boolean>)[k]!]));
      const forward = this.kernels.pipeline('lstm-forward', consts);
      const backward = this.kernels.pipeline('lstm-backward', pick(['META_STRIDE', 'B', 'T', 'U', 'P', 'ACT', 'RETSEQ', 'MASK_ROW']));
      const weightGridSize = this.capacity * (l.inputSize + l.units + 1) * G;
      const weightGrad = this.kernels.pipeline('lstm-weight-grad', {
        ...pick(['META_STRIDE', 'B', 'T', 'I', 'U', 'P', 'MASK_ROW']),
        TOTAL: weightGridSize,
      });
      const needsInputGrad = i > 0 || plan.projection !== null;
      const inputGridSize = KB * T * l.inputSize;
      const inputGrad = needsInputGrad
        ? this.kernels.pipeline('lstm-input-grad', {
            ...pick(['META_STRIDE', 'B', 'T', 'I', 'U', 'P', 'RETSEQ', 'SKIP', 'MASK_ROW']),
            TOTAL: inputGridSize,
          })
        : null;
      const out = l.returnSequences && !l.skip ? b('dummy') : b(`out${i}`);
      const dout = this.outputGradSource(i);
      this.layers.push({
        pipelines: { forward, backward, weightGrad, inputGrad },
        forward: this.group(forward, [
          b('meta'),
          b('params'),
          this.layerInput(i),
          b('masks'),
          b(`gates${i}`),
          b(`cell${i}`),
          b(`h${i}`),
          out,
          offsets,
        ]),
        backward: this.group(backward, [b('meta'), b('params'), b(`gates${i}`), b(`cell${i}`), b('masks'), dout, b('dz'), offsets]),
        weightGrad: this.group(weightGrad, [b('meta'), this.layerInput(i), b(`h${i}`), b('masks'), b('dz'), b('grads'), offsets]),
        inputGrad: inputGrad
          ? this.group(inputGrad, [b('meta'), b('params'), b('masks'), b('dz'), dout, this.inputGradTarget(i), offsets])
          : null,
        weightGridSize,
        inputGridSize,
      });
      mi += 4 * l.inputSize;
      mr += 4 * l.units;
    });
  }

  /**
   * Gradient buffers alternate down the stack: the last layer reads `dvec` (from the head) and
   * writes its input gradient to dseqA or dseqB by parity, the layer below reads it from there.
   */
  private inputGradTarget(i: number): GPUBuffer {
    const last = lstmLayers(this.plan).length - 1;
    return this.buffers.get((last - i) % 2 === 0 ? 'dseqA' : 'dseqB')!;
  }

  private outputGradSource(i: number): GPUBuffer {
    const last = lstmLayers(this.plan).length - 1;
    return i === last ? this.buffers.get('dvec')! : this.inputGradTarget(i + 1);
  }

  /** Makes the output buffer hold at least `floats` probabilities. */
  ensureOutput(floats: number): void {
    if (floats <= this.outputFloats) return;
    this.buffers.get('preds')?.destroy();
    this.buffers.delete('preds');
    this.outputFloats = Math.max(floats, 2 * this.outputFloats);
    this.buffer('preds', this.outputFloats);
    const b = (name: string) => this.buffers.get(name)!;
    const lastOut = this.layerOutput(lstmLayers(this.plan).length - 1);
    this.headGroup = this.group(this.pipelines.head, [
      b('meta'),
      b('params'),
      lastOut,
      b('ybatch'),
      b('probs'),
      b('dlogits'),
      b('dvec'),
      b('grads'),
      b('preds'),
      b('loss'),
    ]);
  }

  private gatherBindGroup(): GPUBindGroup {
    if (this.gatherGroup && this.gatherVersion === this.data.version) return this.gatherGroup;
    const b = (name: string) => this.buffers.get(name)!;
    this.gatherGroup = this.group(this.pipelines.gather, [b('meta'), b('rows'), this.data.values, this.data.labels, b('xin'), b('ybatch')]);
    this.gatherVersion = this.data.version;
    return this.gatherGroup;
  }

  /** Runs one pass: every listed member's forward (and backward and update) on its rows; others sit out. */
  run(members: PassMember[]): void {
    this.metaHost.fill(0);
    for (const m of members) this.writeMeta(m);
    const q = this.device.queue;
    q.writeBuffer(this.buffers.get('meta')!, 0, this.metaHost);
    q.writeBuffer(this.buffers.get('rows')!, 0, this.rowsHost);
    const backward = members.some((m) => m.mode !== 'predict');
    const update = members.some((m) => m.mode === 'train');
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const grid = (pipeline: GPUComputePipeline, group: GPUBindGroup, count: number) => {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...elementGrid(count));
    };
    const perRow = (pipeline: GPUComputePipeline, group: GPUBindGroup) => {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(this.batchSize, this.capacity);
    };
    const { T, F } = this.seq;
    grid(this.pipelines.masks, this.fixed.masks, this.rowsPerPass * this.maskRow);
    grid(this.pipelines.gather, this.gatherBindGroup(), this.rowsPerPass * T * F);
    const proj = this.projectionGpu;
    if (proj) grid(proj.fwdPipe, proj.forward, this.rowsPerPass * T * this.plan.projection!.units);
    for (const l of this.layers) perRow(l.pipelines.forward, l.forward);
    pass.setPipeline(this.pipelines.head);
    pass.setBindGroup(0, this.headGroup!);
    pass.dispatchWorkgroups(this.capacity);
    if (backward) {
      for (let i = this.layers.length - 1; i >= 0; i--) {
        const l = this.layers[i]!;
        perRow(l.pipelines.backward, l.backward);
        grid(l.pipelines.weightGrad, l.weightGrad, l.weightGridSize);
        if (l.inputGrad && l.pipelines.inputGrad) grid(l.pipelines.inputGrad, l.inputGrad, l.inputGridSize);
      }
      if (proj) grid(proj.gradPipe, proj.grad, this.capacity * (F + 1) * this.plan.projection!.units);
    }
    if (update) {
      pass.setPipeline(this.pipelines.norm);
      pass.setBindGroup(0, this.fixed.norm);
      pass.dispatchWorkgroups(this.capacity);
      grid(this.pipelines.adam, this.fixed.adam, this.capacity * this.paramCount);
    }
    pass.end();
    q.submit([encoder.finish()]);
  }

  private writeMeta(m: PassMember): void {
    if (m.rows.length > this.batchSize) throw new Error(`a pass takes at most ${this.batchSize} rows per member, got ${m.rows.length}`);
    const o = m.slot * this.metaStride;
    const u = this.metaHost;
    const f = this.metaFloats;
    u[o] = MODE_CODE[m.mode];
    u[o + 1] = m.rows.length;
    u[o + 2] = m.seed >>> 0;
    u[o + 3] = m.step >>> 0;
    f[o + 4] = m.dropout;
    f[o + 5] = m.recurrentDropout;
    f[o + 6] = m.learningRate;
    f[o + 7] = m.correction1;
    f[o + 8] = m.correction2;
    f[o + 9] = m.clipNorm;
    u[o + 10] = m.output ?? NO_OUTPUT;
    u[o + 11] = MASK_CODE[m.masks];
    u[o + 12] = m.classWeights ? 1 : 0;
    if (m.classWeights) for (let c = 0; c < m.classWeights.length; c++) f[o + META_FIXED + c] = m.classWeights[c]!;
    for (let r = 0; r < m.rows.length; r++) this.rowsHost[m.slot * this.batchSize + r] = m.rows[r]!;
  }

  writeParams(slot: number, values: Float32Array): void {
    this.device.queue.writeBuffer(this.buffers.get('params')!, slot * this.paramCount * F32, values as Float32Array<ArrayBuffer>);
  }

  /** Zeroes a slot's Adam moments and epoch loss (a new member takes it). */
  resetSlot(slot: number): void {
    const zeros = new Float32Array(this.paramCount);
    for (const name of ['m', 'v']) this.device.queue.writeBuffer(this.buffers.get(name)!, slot * this.paramCount * F32, zeros);
    this.zeroLoss(slot);
  }

  private zeroLoss(slot: number): void {
    const loss = this.buffers.get('loss')!;
    this.device.queue.writeBuffer(loss, slot * F32, new Float32Array(1));
    this.device.queue.writeBuffer(loss, (this.capacity + slot) * F32, new Float32Array(1));
  }

  /** Copies a slot's parameters between `params` and a buffer of the same layout (snapshots). */
  copyParams(slot: number, direction: 'save' | 'restore', store: GPUBuffer): void {
    const encoder = this.device.createCommandEncoder();
    const params = this.buffers.get('params')!;
    const at = slot * this.paramCount * F32;
    if (direction === 'save') encoder.copyBufferToBuffer(params, at, store, at, this.paramCount * F32);
    else encoder.copyBufferToBuffer(store, at, params, at, this.paramCount * F32);
    this.device.queue.submit([encoder.finish()]);
  }

  /** A buffer shaped like `params` (the best-epoch snapshots of every slot). */
  snapshotBuffer(): GPUBuffer {
    return this.buffer('best', this.capacity * this.paramCount);
  }

  /** Writes a slot's dropout masks (test path: masks 'kept'); layout per row as in masks.wgsl. */
  writeMasks(slot: number, row: number, values: Float32Array): void {
    const at = (slot * this.batchSize + row) * this.maskRow * F32;
    this.device.queue.writeBuffer(this.buffers.get('masks')!, at, values as Float32Array<ArrayBuffer>);
  }

  get masksPerRow(): { total: number; input: number } {
    return { total: this.maskRow, input: this.maskIn };
  }

  /**
   * Reads back, in one copy and one map: the epoch loss of `lossSlots` (then zeroed), `outputFloats`
   * of the output buffer, and any named slot ranges (parameters, gradients) asked for.
   */
  async read(request: {
    lossSlots?: number[];
    outputFloats?: number;
    ranges?: { buffer: 'params' | 'grads' | 'best'; slot: number }[];
  }): Promise<{ losses: Float32Array; output: Float32Array; ranges: Float32Array[] }> {
    const lossBytes = 2 * this.capacity * F32;
    const outBytes = Math.ceil(((request.outputFloats ?? 0) * F32) / 4) * 4;
    const ranges = request.ranges ?? [];
    const rangeBytes = this.paramCount * F32;
    const total = lossBytes + outBytes + ranges.length * rangeBytes;
    const staging = this.device.createBuffer({
      size: Math.max(16, Math.ceil(total / 16) * 16),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.buffers.get('loss')!, 0, staging, 0, lossBytes);
    if (outBytes > 0) encoder.copyBufferToBuffer(this.buffers.get('preds')!, 0, staging, lossBytes, outBytes);
    ranges.forEach((r, i) => {
      encoder.copyBufferToBuffer(
        this.buffers.get(r.buffer)!,
        r.slot * rangeBytes,
        staging,
        lossBytes + outBytes + i * rangeBytes,
        rangeBytes,
      );
    });
    this.device.queue.submit([encoder.finish()]);
    for (const slot of request.lossSlots ?? []) this.zeroLoss(slot);
    await staging.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    const n = 2 * this.capacity;
    const outFloats = request.outputFloats ?? 0;
    // a member whose weights or outputs went non-finite reads NaN, as the fast engine's loss would
    const losses = all.slice(0, this.capacity).map((v, k) => (all[this.capacity + k]! !== 0 ? NaN : v));
    return {
      losses,
      output: all.slice(n, n + outFloats),
      ranges: ranges.map((_, i) => all.slice(n + outBytes / F32 + i * this.paramCount, n + outBytes / F32 + (i + 1) * this.paramCount)),
    };
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
    this.data.destroy();
  }
}
