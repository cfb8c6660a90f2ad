import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_PACK } from '../../../src/model/gpu/packer.js';
import { decideEngine, type EngineRequest } from '../../../src/worker/engine-decision.js';
import type { AdapterProbe } from '../../../src/worker/gpu-probe.js';

const swiftShader = { index: 0, name: 'SwiftShader Device (Subzero)', backend: 'vulkan', software: true };
const h100 = { index: 1, name: 'NVIDIA H100 80GB HBM3', backend: 'vulkan', software: false };
const found =
  (...adapters: (typeof h100)[]) =>
  async (): Promise<AdapterProbe> => ({ ok: true, adapters });
const unavailable = async (): Promise<AdapterProbe> => ({ ok: false, reason: 'the optional package `webgpu` is not installed' });
const request = (over: Partial<EngineRequest>): EngineRequest => ({ engine: 'auto', backend: 'auto', concurrency: 1, ...over });

describe('how a worker trains', () => {
  test('auto picks gpu, packed, only for a hardware adapter; otherwise what it picked before, and says why', async () => {
    const gpu = await decideEngine(request({}), found(swiftShader, h100));
    assert.equal(gpu.engine, 'gpu');
    assert.equal(gpu.pack, DEFAULT_PACK);
    assert.equal(gpu.fields.adapter, '1: NVIDIA H100 80GB HBM3');
    const emulated = await decideEngine(request({}), found(swiftShader));
    assert.deepEqual([emulated.engine, emulated.pack], ['auto', undefined]);
    assert.match(
      String(emulated.fields.engineReason),
      /no hardware WebGPU adapter \(found: 0: SwiftShader Device \(Subzero\) \(vulkan, CPU emulation\)\)/,
    );
    const none = await decideEngine(request({}), unavailable);
    assert.match(String(none.fields.engineReason), /webgpu` is not installed/);
    // --backend tensorflow asks for tfjs-node: auto stays with it
    assert.equal((await decideEngine(request({ backend: 'tensorflow' }), found(h100))).engine, 'auto');
  });

  test('--engine gpu needs an adapter, and --gpu N one that exists; exit 2 naming them', async () => {
    await assert.rejects(decideEngine(request({ engine: 'gpu' }), unavailable), (err: Error & { exitCode?: number }) => {
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /^--engine gpu: the optional package `webgpu` is not installed/);
      return true;
    });
    await assert.rejects(decideEngine(request({ engine: 'gpu' }), found()), /no WebGPU adapter on this host/);
    await assert.rejects(
      decideEngine(request({ engine: 'gpu', gpu: 2 }), found(swiftShader, h100)),
      /--gpu 2: this host has 2 WebGPU adapter\(s\): 0: SwiftShader Device \(Subzero\) \(vulkan, CPU emulation\); 1: NVIDIA H100/,
    );
    const chosen = await decideEngine(request({ engine: 'gpu', gpu: 0, pack: 64 }), found(swiftShader, h100));
    assert.deepEqual([chosen.engine, chosen.pack, chosen.fields.adapter], ['gpu', 64, '0: SwiftShader Device (Subzero) (CPU emulation)']);
  });

  test('--pack K packs any engine; --pack 1 is the sandboxed mode; --concurrency does not combine with packing', async () => {
    assert.deepEqual((await decideEngine(request({ engine: 'fast', pack: 3 }), unavailable)).pack, 3);
    assert.equal((await decideEngine(request({ engine: 'fast', pack: 1 }), unavailable)).pack, undefined);
    assert.equal((await decideEngine(request({ engine: 'fast', concurrency: 4 }), unavailable)).pack, undefined);
    await assert.rejects(decideEngine(request({ engine: 'fast', pack: 3, concurrency: 2 }), unavailable), /--concurrency 2/);
    await assert.rejects(decideEngine(request({ engine: 'gpu', concurrency: 2 }), found(h100)), /--concurrency 2/);
    // auto on a GPU host: the pack replaces the processes, and the log says so
    const auto = await decideEngine(request({ concurrency: 4 }), found(h100));
    assert.equal(auto.pack, DEFAULT_PACK);
    assert.match(String(auto.fields.engineReason), /--concurrency 4 unused/);
  });
});
