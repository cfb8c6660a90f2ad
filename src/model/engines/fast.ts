/**
 * The fast engine: the network computed by lstm-sweep's wasm SIMD kernels
 * (../fast/network.ts), no tfjs op per step. It starts from the layers model's seeded
 * initial weights and writes the trained weights back into it, so the exported model is a
 * standard tfjs-layers model either way.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Split } from '../../data/types.js';
import { copyWeightsFromModel, copyWeightsToModel } from '../fast/layers-bridge.js';
import { FastNetwork } from '../fast/network.js';
import type { NetworkPlan } from '../network-plan.js';
import { disposeModel } from '../residual-lstm.js';
import type { TrainingEngine } from './engine.js';

export interface FastEngineOptions {
  plan: NetworkPlan;
  learningRate: number;
  batchSize: number;
  /** seed of the dropout masks */
  seed: number;
  /** loss weight per class */
  classWeights?: number[];
  /** global gradient-norm clipping (0: none) */
  clipNorm?: number;
}

export class FastEngine implements TrainingEngine {
  readonly name = 'fast' as const;
  readonly net: FastNetwork;
  private best: Float32Array;
  private readonly labels: Float32Array;
  private readonly weights: Float32Array | undefined;
  private readonly rows: number[] = [];
  private learningRate: number;
  /** sum of batch loss x batch rows since the last takeLossSum */
  private lossSum = 0;

  constructor(
    private readonly layersModel: tf.LayersModel,
    private readonly opts: FastEngineOptions,
  ) {
    this.net = new FastNetwork(opts.plan, { maxBatch: opts.batchSize, seed: opts.seed });
    copyWeightsFromModel(this.net, layersModel);
    this.best = this.net.params.slice();
    this.labels = new Float32Array(opts.batchSize);
    this.weights = opts.classWeights ? new Float32Array(opts.batchSize) : undefined;
    this.learningRate = opts.learningRate;
  }

  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  async trainBatch(split: Split, indices: Int32Array, start: number, end: number): Promise<void> {
    this.rows.length = end - start;
    for (let k = 0; k < end - start; k++) {
      const i = indices[start + k]!;
      this.rows[k] = i;
      this.labels[k] = split.y[i]!;
      if (this.weights) this.weights[k] = this.opts.classWeights![split.y[i]!]!;
    }
    this.net.setInput(split.x, this.rows);
    this.net.forward(true);
    const loss = this.net.backward(this.labels, this.weights);
    if (this.opts.clipNorm) this.net.clipGradients(this.opts.clipNorm);
    this.net.adam(this.learningRate);
    this.lossSum += loss * (end - start);
  }

  async takeLossSum(): Promise<number> {
    const sum = this.lossSum;
    this.lossSum = 0;
    return sum;
  }

  async predict(split: Split): Promise<Float32Array> {
    return this.net.predict(split.x, split.n);
  }

  snapshot(): void {
    this.best = this.net.params.slice();
  }

  restore(): void {
    this.net.params.set(this.best);
  }

  async model(): Promise<tf.LayersModel> {
    copyWeightsToModel(this.net, this.layersModel);
    return this.layersModel;
  }

  release(keepModel: boolean): void {
    // a kept model already holds the weights: the caller got it from model()
    if (!keepModel) disposeModel(this.layersModel);
  }
}
