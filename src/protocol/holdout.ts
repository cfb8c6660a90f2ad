/** One stratified validation split of the train file; early stopping and best-epoch restore on it. */
import { normalizeTrainingData } from '../data/normalize.js';
import { toTrainingData } from '../data/split.js';
import { trainTrial } from '../model/index.js';
import type { Protocol } from './protocol.js';

export const holdout: Protocol = async (config, dataset, settings, opts) => {
  const normalized = normalizeTrainingData(toTrainingData(dataset, settings), settings.normalize);
  const { train } = normalized.data;
  const trained = await trainTrial(config, normalized.data, {
    keepModel: opts.keepModel ?? false,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.engine ? { engine: opts.engine } : {}),
    onEpoch: (e) => opts.onEpoch?.(e, { kind: 'holdout' }),
  });
  return {
    trained,
    normalization: { mode: settings.normalize, ...(normalized.stats ? { stats: normalized.stats } : {}) },
    inputShape: { timesteps: train.timesteps, features: train.features },
  };
};
