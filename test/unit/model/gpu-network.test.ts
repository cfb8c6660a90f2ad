/**
 * The packed WebGPU network computes what the fast engine computes: from the same initial
 * weights, inputs and dropout masks, the same probabilities, loss and every parameter gradient
 * (within 1e-4 relative), on the architectures the fast engine is tested on. Runs on SwiftShader
 * (a CPU Vulkan) here and in CI; fails, never skips, when no adapter is found.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Split } from '../../../src/data/types.js';
import { FastNetwork } from '../../../src/model/fast/network.js';
import { lstmLayers } from '../../../src/model/fast/plan.js';
import { planNetwork } from '../../../src/model/network-plan.js';
import type { ModelConfig } from '../../../src/model/index.js';
import { PackedNetwork } from '../../../src/model/gpu/packed-network.js';
import { createRng } from '../../../src/util/rng.js';
import { openTestGpu } from '../../gpu-fixture.js';
import { ENGINE_CASES, relError, type EngineCase } from './engine-fixture.js';

const TOL = 1e-4;

type Case = EngineCase;

// the fast engine's cases, plus a width past a workgroup's 64 threads and patching
const CASES: Case[] = [
  ...ENGINE_CASES,
  { name: 'width 70 (more units than a workgroup has threads)', T: 3, F: 2, classes: 2, config: { depth: 2, width: 70, head: 'dense' } },
  { name: 'patch 3 over 8 steps (padded)', T: 8, F: 2, classes: 2, config: { depth: 2, width: 6, head: 'dense', patch: 3 } },
];

function split(n: number, c: Case, seed: number): Split {
  const rng = createRng(seed);
  return {
    n,
    timesteps: c.T,
    features: c.F,
    x: Float32Array.from({ length: n * c.T * c.F }, () => rng() * 2 - 1),
    y: Float32Array.from({ length: n }, (_, i) => (i * 7) % c.classes),
  };
}

/** The fast network's masks of every layer, laid out per row as the packed network reads them. */
function packedMasks(net: FastNetwork, packed: PackedNetwork, n: number): Float32Array[] {
  const layers = lstmLayers(net.plan);
  const { total, input } = packed.masksPerRow;
  return Array.from({ length: n }, (_, b) => {
    const row = new Float32Array(total).fill(1);
    let mi = 0;
    let mr = input;
    layers.forEach((l, i) => {
      const m = net.lastMasks(i);
      for (let g = 0; g < 4; g++) {
        for (let j = 0; j < l.inputSize; j++) if (m.input) row[mi + g * l.inputSize + j] = m.input[(g * n + b) * l.inputSize + j]!;
        for (let j = 0; j < l.units; j++) if (m.recurrent) row[mr + g * l.units + j] = m.recurrent[(g * n + b) * l.units + j]!;
      }
      mi += 4 * l.inputSize;
      mr += 4 * l.units;
    });
    return row;
  });
}

describe('packed WebGPU network equals the fast engine', () => {
  let device: GPUDevice;
  before(async () => {
    device = (await openTestGpu()).device;
  });
  after(() => device?.destroy());

  for (const [dropout, recurrentDropout] of [
    [0, 0],
    [0.3, 0.2],
  ] as const) {
    for (const c of CASES) {
      test(`${c.name}, dropout ${dropout}/${recurrentDropout}`, async () => {
        const n = 5;
        const config: ModelConfig = { ...c.config, dropout, recurrentDropout, seed: 3, classes: c.classes };
        const shape = { timesteps: c.T, features: c.F };
        const plan = planNetwork(shape, config);
        const net = new FastNetwork(plan, { maxBatch: 8, seed: 1 });
        // any weights do for an equality check (Keras' orthogonal initializer takes tfjs-cpu
        // seconds at width 70); the scale keeps the gates away from saturation
        const rng = createRng(29);
        for (let i = 0; i < net.paramCount; i++) net.params[i] = (rng() * 2 - 1) * 0.4;
        const data = split(n, c, 11);
        net.setInput(data.x, [0, 1, 2, 3, 4]);
        const probs = net.forward(true).slice();
        const loss = net.backward(data.y);

        // slot 1 of 3: the other slots hold other weights and sit out
        const packed = new PackedNetwork(device, plan, { capacity: 3, batchSize: 8 });
        const slot = 1;
        packed.writeParams(
          0,
          net.params.map((v) => v * 3),
        );
        packed.writeParams(slot, net.params);
        packedMasks(net, packed, n).forEach((row, b) => packed.writeMasks(slot, b, row));
        const offset = packed.data.offset(data);
        packed.run([
          {
            slot,
            mode: 'grad',
            rows: [0, 1, 2, 3, 4].map((r) => offset + r),
            output: 0,
            seed: 1,
            step: 0,
            dropout,
            recurrentDropout,
            masks: 'kept',
            learningRate: 0,
            correction1: 1,
            correction2: 1,
            clipNorm: 0,
          },
        ]);
        const read = await packed.read({ lossSlots: [slot], outputFloats: n * plan.head.units, ranges: [{ buffer: 'grads', slot }] });
        packed.destroy();
        assert.ok(relError(read.output, probs) < TOL, `outputs differ by ${relError(read.output, probs)}`);
        const gpuLoss = read.losses[slot]! / n;
        assert.ok(Math.abs(gpuLoss - loss) / loss < TOL, `loss ${gpuLoss} vs ${loss}`);
        assert.equal(read.losses[0], 0, 'a slot that sat out has no loss');
        for (const s of net.slots) {
          const err = relError(read.ranges[0]!.subarray(s.offset, s.offset + s.size), net.grads.subarray(s.offset, s.offset + s.size));
          assert.ok(err < TOL, `${s.layer}[${s.index}] gradient differs by ${err}`);
        }
      });
    }
  }
});

describe('packed WebGPU network: the update', () => {
  test('Adam steps with clipping and class weights equal the fast engine, and a NaN stays in its slot', async () => {
    const device = (await openTestGpu()).device;
    const c = CASES[1]!;
    const config: ModelConfig = { ...c.config, dropout: 0, recurrentDropout: 0, seed: 5, classes: 2 };
    const plan = planNetwork({ timesteps: c.T, features: c.F }, config);
    const net = new FastNetwork(plan, { maxBatch: 8, seed: 1 });
    const rng = createRng(31);
    for (let i = 0; i < net.paramCount; i++) net.params[i] = (rng() * 2 - 1) * 0.4;
    const packed = new PackedNetwork(device, plan, { capacity: 2, batchSize: 8 });
    packed.writeParams(0, net.params);
    // slot 1 trains with a huge learning rate on the same rows: its weights go to NaN
    packed.writeParams(1, net.params);
    const data = split(6, c, 21);
    const weights = [0.7, 1.6];
    const offset = packed.data.offset(data);
    const rows = [0, 1, 2, 3, 4, 5];
    let loss = 0;
    for (let step = 1; step <= 4; step++) {
      net.setInput(data.x, rows);
      net.forward(true);
      loss +=
        net.backward(
          data.y,
          Array.from(data.y, (y) => weights[y]!),
        ) * rows.length;
      net.clipGradients(0.5);
      net.adam(0.01);
      const common = {
        rows: rows.map((r) => offset + r),
        seed: 1,
        step,
        dropout: 0,
        recurrentDropout: 0,
        masks: 'ones' as const,
        correction1: 1 - Math.fround(0.9 ** step),
        correction2: 1 - Math.fround(0.999 ** step),
        clipNorm: 0.5,
        classWeights: weights,
      };
      packed.run([
        { ...common, slot: 0, mode: 'train', learningRate: 0.01 },
        { ...common, slot: 1, mode: 'train', learningRate: 1e30, clipNorm: 0 },
      ]);
    }
    const read = await packed.read({
      lossSlots: [0, 1],
      ranges: [
        { buffer: 'params', slot: 0 },
        { buffer: 'params', slot: 1 },
      ],
    });
    packed.destroy();
    device.destroy();
    assert.ok(Math.abs(read.losses[0]! - loss) / loss < TOL, `epoch loss ${read.losses[0]} vs ${loss}`);
    for (const s of net.slots) {
      const err = relError(read.ranges[0]!.subarray(s.offset, s.offset + s.size), net.params.subarray(s.offset, s.offset + s.size));
      assert.ok(err < TOL, `${s.layer}[${s.index}] after 4 steps differs by ${err}`);
    }
    assert.ok(!Number.isFinite(read.losses[1]!) || read.ranges[1]!.some((v) => !Number.isFinite(v)), 'slot 1 diverged');
  });
});

describe('packed WebGPU network: size', () => {
  test('a pack too large for the GPU says so and names --pack, before allocating', async () => {
    const device = (await openTestGpu()).device;
    const plan = planNetwork(
      { timesteps: 512, features: 10 },
      { depth: 1, width: 128, head: 'dense', dropout: 0, recurrentDropout: 0, seed: 1 },
    );
    try {
      assert.throws(
        () => new PackedNetwork(device, plan, { capacity: 256, batchSize: 32 }),
        /MiB for its .* buffer .* use a smaller --pack/,
      );
    } finally {
      device.destroy();
    }
  });
});
