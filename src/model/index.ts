export { buildModel, countParams, deriveSeed, disposeModel } from './residual-lstm.js';
export {
  planNetwork,
  lstmParams,
  type InputShape,
  type ModelConfig,
  type NetworkPlan,
  type ProjectionPlan,
  type LstmPlan,
  type HeadPlan,
  type DenseHeadPlan,
  type LstmHeadPlan,
  type HeadKind,
  type HeadSpec,
  type Loss,
} from './network-plan.js';
export { HEADS, getHead, buildHead, type ModelHead, type HeadBuilder, type HeadContext } from './heads/head-registry.js';
export { formatSummary } from './summary.js';
export { initBackend, TENSORFLOW_INSTALL_HINT, type BackendOptions } from './backend.js';
export {
  installWasmFastMatMul,
  uninstallWasmFastMatMul,
  isWasmFastMatMulInstalled,
  getWasmFastMatMulStats,
  resetWasmFastMatMulStats,
} from './wasm-matmul.js';
export { rocAuc, accuracy, binaryCrossEntropy } from './metrics.js';
export { withSeededMathRandom } from './seeded-random.js';
export { resolveEngine, trainsConcurrently, type EngineName } from './engines/engine-registry.js';
export * from './choices.js';
export { NonFiniteLossError, ModelBuildError } from '../util/errors.js';
export { trainTrial, type EpochMetrics, type TrainResult, type TrainOptions } from './train.js';
