import * as tf from '@tensorflow/tfjs';
import type { EngineChoice } from '../choices.js';
import { kernelsAvailable } from '../fast/kernel-module.js';
import { planNetwork, type InputShape, type ModelConfig } from '../network-plan.js';
import type { TrialConfig } from '../trial-config.js';
import { FastEngine } from './fast.js';
import { GpuEngine } from './gpu.js';
import { LayersEngine } from './layers.js';
import type { EngineName, TrainingEngine } from './engine.js';

export type { EngineName, TrainingEngine } from './engine.js';

export type { EngineChoice } from '../choices.js';

/**
 * 'auto': the fast engine, except on the tensorflow backend (tfjs-node / tfjs-node-gpu),
 * where the layers model runs natively (and on the GPU) instead.
 */
export function resolveEngine(choice: EngineChoice, backend = tf.getBackend()): EngineName {
  if (choice !== 'auto') return choice;
  return backend !== 'tensorflow' && kernelsAvailable() ? 'fast' : 'layers';
}

/**
 * Whether the trainings of `name` in one process are packed together (the gpu engine runs
 * them as one dispatch), so cross-validation runs its folds at once instead of one by one.
 */
export function trainsConcurrently(name: EngineName): boolean {
  return name === 'gpu';
}

export interface EngineSetup {
  shape: InputShape;
  config: ModelConfig & Pick<TrialConfig, 'learningRate' | 'batchSize' | 'clipNorm'>;
  /** seed of the fast engine's dropout masks */
  dropoutSeed: number;
  /** loss weight per class (index = label); absent: every sample weighs 1 */
  classWeights?: number[];
}

/** Wraps the freshly built layers model `model` in the chosen engine (which then owns it). */
export function createEngine(name: EngineName, model: tf.LayersModel, setup: EngineSetup): TrainingEngine {
  const { config } = setup;
  const plan = planNetwork(setup.shape, config);
  switch (name) {
    case 'layers':
      return new LayersEngine(model, {
        learningRate: config.learningRate,
        loss: plan.head.loss,
        classes: plan.classes,
        ...(setup.classWeights ? { classWeights: setup.classWeights } : {}),
        ...(config.clipNorm ? { clipNorm: config.clipNorm } : {}),
      });
    case 'fast':
    case 'gpu': {
      const opts = {
        plan,
        learningRate: config.learningRate,
        batchSize: config.batchSize,
        seed: setup.dropoutSeed,
        ...(setup.classWeights ? { classWeights: setup.classWeights } : {}),
        ...(config.clipNorm ? { clipNorm: config.clipNorm } : {}),
      };
      return name === 'fast' ? new FastEngine(model, opts) : new GpuEngine(model, opts);
    }
  }
}
