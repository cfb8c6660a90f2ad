import { createRequire } from 'node:module';
import { UserError } from '../util/errors.js';

const NATIVE = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** Which native TensorFlow binding is installed, found without loading it (the worker's main process stays light). */
export function installedNativeBackend(): string | undefined {
  const require = createRequire(import.meta.url);
  return NATIVE.find((pkg) => {
    try {
      require.resolve(`${pkg}/package.json`);
      return true;
    } catch {
      return false;
    }
  });
}

/** `--backend tensorflow` without a binding would fail every trial: refuse at start instead. */
export function assertBackendAvailable(backend: string): void {
  if (backend === 'tensorflow' && installedNativeBackend() === undefined) {
    throw new UserError(
      '--backend tensorflow needs @tensorflow/tfjs-node-gpu@4.22.0 (CUDA 11.2 + cuDNN 8.1) or @tensorflow/tfjs-node@4.22.0: ' +
        'npm install one of them, or use --backend auto | wasm | cpu',
    );
  }
}
