import { openGpu } from './src/model/gpu/device.ts';
import { PackedNetwork } from './src/model/gpu/packed-network.ts';
import { planNetwork } from './src/model/network-plan.ts';
const ctx = await openGpu();
const plan = planNetwork({ timesteps: 6, features: 5 }, { depth: 2, width: 5, head: 'dense', dropout: 0, recurrentDropout: 0, seed: 1 } as any);
const net = new PackedNetwork(ctx.device, plan, { capacity: 2, batchSize: 8 });
const data = { n: 6, timesteps: 6, features: 5, x: new Float32Array(180).fill(0.1), y: Float32Array.from([0,1,0,1,0,1]) };
const off = net.data.offset(data);
for (const mode of ['grad', 'train', 'grad'] as const) for (const cw of [undefined, [0.7, 1.6]]) {
  net.run([{ slot: 0, mode, rows: [0,1,2,3,4,5].map(r => r + off), seed: 1, step: 1, dropout: 0, recurrentDropout: 0, masks: 'ones', learningRate: 0.01, correction1: 0.1, correction2: 0.001, clipNorm: 0.5, ...(cw ? { classWeights: cw } : {}) }]);
  const r = await net.read({ lossSlots: [0] });
  console.log(mode, cw, r.losses[0]);
}
ctx.device.destroy();
