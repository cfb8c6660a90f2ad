/**
 * Picks the TensorFlow.js backend a worker trains on.
 * - 'tensorflow': native TensorFlow via @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node
 *   (optional peer installs, loaded with a dynamic import only when present);
 * - 'wasm': @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD), with the transposed-matmul
 *   patch from ./wasm-matmul.ts unless disabled;
 * - 'cpu': the pure-JS reference backend;
 * - 'auto': the first of tensorflow, wasm, cpu that initialises.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKEND_CHOICES, type BackendChoice } from './choices.js';
import { installWasmFastMatMul, uninstallWasmFastMatMul } from './wasm-matmul.js';

export interface BackendOptions {
  /** Patch wasm's transposed matmuls (default: true unless env LSW_WASM_FAST_MATMUL=0). */
  wasmFastMatMul?: boolean;
}

export const TENSORFLOW_INSTALL_HINT =
  'The tensorflow backend needs a native TensorFlow.js binding, which is not installed. ' +
  'For NVIDIA GPUs: `npm install @tensorflow/tfjs-node-gpu@4.22.0` (needs CUDA 11.2 and cuDNN 8.1); ' +
  'for CPU: `npm install @tensorflow/tfjs-node@4.22.0`. Or choose --backend wasm / cpu.';

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

let current: { choice: BackendChoice; backend: string } | undefined;

function isModuleNotFound(err: unknown, specifier: string): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(specifier);
}

async function initTensorflow(): Promise<string> {
  const failures: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      // computed specifier: TypeScript must not resolve these optional packages
      const specifier: string = pkg;
      await import(specifier);
    } catch (err) {
      if (!isModuleNotFound(err, pkg)) failures.push(`${pkg}: ${(err as Error).message}`);
      continue;
    }
    if (await tf.setBackend('tensorflow')) return 'tensorflow';
    failures.push(`${pkg}: loaded but the 'tensorflow' backend failed to initialise`);
  }
  const detail = failures.length > 0 ? ` (${failures.join('; ')})` : '';
  throw new Error(`${TENSORFLOW_INSTALL_HINT}${detail}`);
}

function applyWasmMatMulOption(opts: BackendOptions): void {
  const fast = opts.wasmFastMatMul ?? process.env.LSW_WASM_FAST_MATMUL !== '0';
  if (fast) installWasmFastMatMul();
  else uninstallWasmFastMatMul();
}

async function initWasm(opts: BackendOptions): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm');
  applyWasmMatMulOption(opts);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  return 'wasm';
}

async function initCpu(): Promise<string> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  return 'cpu';
}

async function init(choice: BackendChoice, opts: BackendOptions): Promise<string> {
  switch (choice) {
    case 'tensorflow':
      return initTensorflow();
    case 'wasm':
      return initWasm(opts);
    case 'cpu':
      return initCpu();
    case 'auto': {
      for (const attempt of [initTensorflow, () => initWasm(opts)]) {
        try {
          return await attempt();
        } catch {
          // fall through to the next backend
        }
      }
      return initCpu();
    }
    default:
      throw new Error(`unknown backend '${String(choice)}' (expected ${BACKEND_CHOICES.join(', ')})`);
  }
}

/**
 * Initialises the backend and returns the name actually in use (`tf.getBackend()`).
 * Idempotent: calling again with the same choice returns the same backend without
 * re-initialising (the wasm matmul option is re-applied); a different choice switches backends.
 */
export async function initBackend(choice: BackendChoice = 'auto', opts: BackendOptions = {}): Promise<string> {
  if (current && current.choice === choice && tf.getBackend() === current.backend) {
    if (current.backend === 'wasm') applyWasmMatMulOption(opts);
    return current.backend;
  }
  const backend = await init(choice, opts);
  current = { choice, backend };
  return backend;
}
