/**
 * Loads the fast engine's wasm kernels (./assembly/kernels.ts, compiled by
 * `npm run build:wasm` to dist/wasm/kernels.wasm). Each network gets its own instance and
 * so its own linear memory; the module itself is compiled once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Pointers are byte offsets, strides are in f32 elements (see assembly/kernels.ts). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemm(
    M: number,
    N: number,
    K: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: number,
  ): void;
  addBias(rows: number, cols: number, dst: number, ldd: number, bias: number): void;
  colSum(rows: number, cols: number, src: number, lds: number, out: number, accumulate: number): void;
  maskSeq(T: number, n: number, cols: number, x: number, mask: number, out: number): void;
  addScaled(len: number, dst: number, src: number, mask: number): void;
  transpose(rows: number, cols: number, src: number, out: number): void;
  lstmForward(
    T: number,
    n: number,
    U: number,
    gates: number,
    wr: number,
    h: number,
    c: number,
    ac: number,
    rmask: number,
    hm: number,
    act: number,
  ): void;
  lstmBackward(
    T: number,
    n: number,
    U: number,
    gates: number,
    c: number,
    ac: number,
    wrT: number,
    rmask: number,
    dh: number,
    dz: number,
    dc: number,
    tmp: number,
    act: number,
  ): void;
  adam(
    len: number,
    p: number,
    g: number,
    m: number,
    v: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    oneMinusAcc1: number,
    oneMinusAcc2: number,
  ): void;
}

/** Repository-relative location, the same from src/ (tsx) and dist/ (compiled). */
export const KERNELS_WASM = fileURLToPath(new URL('../../../dist/wasm/kernels.wasm', import.meta.url));

let compiled: WebAssembly.Module | undefined;

/** Whether the kernels were built (the fast engine is unavailable otherwise). */
export function kernelsAvailable(): boolean {
  return compiled !== undefined || existsSync(KERNELS_WASM);
}

export function instantiateKernels(): KernelExports {
  if (!compiled) {
    if (!existsSync(KERNELS_WASM)) throw new Error(`fast engine kernels not built: ${KERNELS_WASM} is missing (run \`npm run build\`)`);
    compiled = new WebAssembly.Module(readFileSync(KERNELS_WASM));
  }
  return new WebAssembly.Instance(compiled, {
    env: {
      abort: (_msg: number, _file: number, line: number, col: number) => {
        throw new Error(`fast engine kernel aborted at ${line}:${col}`);
      },
    },
  }).exports as unknown as KernelExports;
}

/**
 * Bump allocator over one kernel instance's memory. Everything is reserved first, then
 * `commit()` grows the memory once; views are only valid after that.
 */
export class Arena {
  private top: number;
  constructor(readonly k: KernelExports) {
    this.top = align(k.heapBase());
  }
  /** Reserves `floats` f32 and returns the byte offset. */
  reserve(floats: number): number {
    const ptr = this.top;
    this.top = align(this.top + Math.max(1, floats) * 4);
    return ptr;
  }
  commit(): void {
    const need = this.top - this.k.memory.buffer.byteLength;
    if (need > 0) this.k.memory.grow(Math.ceil(need / 65536));
  }
  view(ptr: number, floats: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, floats);
  }
  get bytes(): number {
    return this.top;
  }
}

function align(n: number): number {
  return (n + 63) & ~63;
}
