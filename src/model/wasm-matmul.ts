/**
 * Fast transposed matmuls for the tfjs 'wasm' backend.
 *
 * tfjs-backend-wasm's BatchMatMul and _FusedMatMul kernels only use XNNPACK when
 * neither input is transposed; with transposeA/transposeB set they fall back to a naive
 * scalar loop. Every backward pass of a matMul asks for transposed products, so training
 * spends most of its time there. This re-registers both kernels for 'wasm' with a
 * wrapper that first materialises the transposed operand(s) with the wasm Transpose
 * kernel and then calls the original kernel with both flags false.
 *
 * Only single-matrix products (every leading batch dim 1, e.g. all rank-2 matMuls, which
 * is what LSTM/Dense layers use) are rewritten: for batch > 1 the wasm kernel uses the
 * scalar loop even without transposes, so a materialised transpose would only add work.
 * Measured here: 2x (32x10 operands) to 10-12x (64x256, 256x256) per transposed matmul.
 */
import * as tf from '@tensorflow/tfjs';

const BACKEND = 'wasm';
const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}
interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}
type MatMulArgs = {
  inputs: Record<string, TensorInfo | undefined> & { a: TensorInfo; b: TensorInfo };
  backend: WasmBackendLike;
  attrs: { transposeA: boolean; transposeB: boolean } & Record<string, unknown>;
};

const originals = new Map<string, tf.KernelConfig>();
const stats = { calls: 0, transposed: 0 };

/** Calls through the patched kernels (`transposed`: calls that needed a transpose). */
export function getWasmFastMatMulStats(): { calls: number; transposed: number } {
  return { ...stats };
}

export function resetWasmFastMatMulStats(): void {
  stats.calls = 0;
  stats.transposed = 0;
}

export function isWasmFastMatMulInstalled(): boolean {
  return originals.size > 0;
}

function transposeLastTwo(x: TensorInfo, backend: WasmBackendLike): TensorInfo {
  const transpose = tf.getKernel('Transpose', BACKEND);
  if (!transpose) throw new Error('wasm Transpose kernel is not registered');
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose.kernelFunc({
    inputs: { x } as unknown as tf.NamedTensorInfoMap,
    backend: backend as unknown as tf.KernelBackend,
    attrs: { perm },
  }) as TensorInfo;
}

function batchSize(x: TensorInfo): number {
  return x.shape.slice(0, -2).reduce((p, d) => p * d, 1);
}

function wrap(original: tf.KernelFunc): tf.KernelFunc {
  return (params) => {
    const args = params as unknown as MatMulArgs;
    const { inputs, backend, attrs } = args;
    stats.calls++;
    if (!attrs.transposeA && !attrs.transposeB) return original(params);
    if (batchSize(inputs.a) !== 1 || batchSize(inputs.b) !== 1) return original(params);
    stats.transposed++;
    const temps: TensorInfo[] = [];
    const a = attrs.transposeA ? transposeLastTwo(inputs.a, backend) : inputs.a;
    if (attrs.transposeA) temps.push(a);
    const b = attrs.transposeB ? transposeLastTwo(inputs.b, backend) : inputs.b;
    if (attrs.transposeB) temps.push(b);
    try {
      return original({
        ...params,
        inputs: { ...inputs, a, b } as unknown as tf.NamedTensorInfoMap,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/** Installs the wrapper kernels (idempotent). Requires '@tensorflow/tfjs-backend-wasm' to be imported. */
export function installWasmFastMatMul(): void {
  if (originals.size > 0) return;
  for (const name of KERNELS) {
    const original = tf.getKernel(name, BACKEND);
    if (!original) throw new Error(`wasm kernel ${name} is not registered; import '@tensorflow/tfjs-backend-wasm' first`);
    originals.set(name, original);
    tf.unregisterKernel(name, BACKEND);
    // keep setupFunc: it binds the wasm function and runs on every setBackend('wasm')
    tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
  }
}

/** Restores the original kernels (for tests and A/B measurements). */
export function uninstallWasmFastMatMul(): void {
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(original);
  }
  originals.clear();
}
