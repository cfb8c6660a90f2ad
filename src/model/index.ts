export { buildModel, countParams, deriveSeed, disposeModel, type InputShape, type ModelConfig } from './residual-lstm.js';
export { HEADS, getHead, type ModelHead, type HeadContext } from './heads/registry.js';
export { lstmParams } from './lstm-layer.js';
export { formatSummary } from './summary.js';
export {
  initBackend,
  TENSORFLOW_INSTALL_HINT,
  type BackendOptions,
} from './backend.js';
export {
  installWasmFastMatMul,
  uninstallWasmFastMatMul,
  isWasmFastMatMulInstalled,
  getWasmFastMatMulStats,
  resetWasmFastMatMulStats,
} from './wasm-matmul.js';
export { rocAuc, accuracy, binaryCrossEntropy } from './metrics.js';
export { withSeededMathRandom } from './seeded-random.js';
export { resolveEngine, type EngineName } from './engines/registry.js';
export * from './choices.js';
export { NonFiniteLossError, ModelBuildError } from '../util/errors.js';
export { trainTrial, type EpochMetrics, type TrainResult, type TrainOptions } from './train.js';
