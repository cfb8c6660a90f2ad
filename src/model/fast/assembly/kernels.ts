// AssemblyScript (compiled to wasm with SIMD by `npm run build:wasm`), not TypeScript:
// the kernels of the fast engine. Every pointer is a byte offset into this module's memory,
// every matrix is row-major f32 and every stride is in elements. The TypeScript side owns the
// memory layout: ../network.ts (FastNetwork) reserves every buffer through the Arena of
// ../kernel-module.ts and places the weights by ../plan.ts' slots; nothing here allocates.

/** First byte the host may use. */
export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------------
// GEMM: C[i, j] (+)= sum_k A(i, k) * B[k, j] with A(i, k) = a[i * ars + k * acs].
// One kernel covers A and A^T (swap ars/acs); B is always row-major (transpose weights once
// per step on the host side instead). Register blocks of 4 rows x 8 columns.

@inline
function fma4(acc: v128, a: f32, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(f32x4.splat(a), b));
}

@inline
function store4(c: usize, v: v128, accumulate: bool): void {
  v128.store(c, accumulate ? f32x4.add(v128.load(c), v) : v);
}

function block4x8(K: i32, a: usize, arsB: usize, acsB: usize, b: usize, ldbB: usize, c: usize, ldcB: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = load<f32>(pa);
    const a1 = load<f32>(pa + arsB);
    const a2 = load<f32>(pa + 2 * arsB);
    const a3 = load<f32>(pa + 3 * arsB);
    c00 = fma4(c00, a0, b0); c01 = fma4(c01, a0, b1);
    c10 = fma4(c10, a1, b0); c11 = fma4(c11, a1, b1);
    c20 = fma4(c20, a2, b0); c21 = fma4(c21, a2, b1);
    c30 = fma4(c30, a3, b0); c31 = fma4(c31, a3, b1);
    pa += acsB;
    pb += ldbB;
  }
  store4(c, c00, acc); store4(c + 16, c01, acc); c += ldcB;
  store4(c, c10, acc); store4(c + 16, c11, acc); c += ldcB;
  store4(c, c20, acc); store4(c + 16, c21, acc); c += ldcB;
  store4(c, c30, acc); store4(c + 16, c31, acc);
}

function block4x4(K: i32, a: usize, arsB: usize, acsB: usize, b: usize, ldbB: usize, c: usize, ldcB: usize, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    c0 = fma4(c0, load<f32>(pa), b0);
    c1 = fma4(c1, load<f32>(pa + arsB), b0);
    c2 = fma4(c2, load<f32>(pa + 2 * arsB), b0);
    c3 = fma4(c3, load<f32>(pa + 3 * arsB), b0);
    pa += acsB;
    pb += ldbB;
  }
  store4(c, c0, acc); c += ldcB;
  store4(c, c1, acc); c += ldcB;
  store4(c, c2, acc); c += ldcB;
  store4(c, c3, acc);
}

function block1x8(K: i32, a: usize, acsB: usize, b: usize, ldbB: usize, c: usize, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const a0 = load<f32>(pa);
    c0 = fma4(c0, a0, v128.load(pb));
    c1 = fma4(c1, a0, v128.load(pb, 16));
    pa += acsB;
    pb += ldbB;
  }
  store4(c, c0, acc);
  store4(c + 16, c1, acc);
}

function block1x4(K: i32, a: usize, acsB: usize, b: usize, ldbB: usize, c: usize, acc: bool): void {
  let c0 = f32x4.splat(0);
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    c0 = fma4(c0, load<f32>(pa), v128.load(pb));
    pa += acsB;
    pb += ldbB;
  }
  store4(c, c0, acc);
}

function scalar1x1(K: i32, a: usize, acsB: usize, b: usize, ldbB: usize, c: usize, acc: bool): void {
  let s: f32 = 0;
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    s += load<f32>(pa) * load<f32>(pb);
    pa += acsB;
    pb += ldbB;
  }
  store<f32>(c, acc ? load<f32>(c) + s : s);
}

export function gemm(M: i32, N: i32, K: i32, a: usize, ars: i32, acs: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32): void {
  const acc = accumulate != 0;
  const arsB = <usize>ars << 2;
  const acsB = <usize>acs << 2;
  const ldbB = <usize>ldb << 2;
  const ldcB = <usize>ldc << 2;
  const M4 = M & ~3;
  const N8 = N & ~7;
  const N4 = N & ~3;
  for (let i = 0; i < M; i += 4) {
    const full = i < M4;
    const rows = full ? 4 : M - i;
    const ai = a + <usize>i * arsB;
    const ci = c + <usize>i * ldcB;
    const passes = full ? 1 : rows;
    for (let r = 0; r < passes; r++) {
      // full blocks of 4 rows are handled once (r == 0); leftover rows one at a time
      const ar = ai + <usize>r * arsB;
      const cr = ci + <usize>r * ldcB;
      let j = 0;
      for (; j < N8; j += 8) {
        const bj = b + (<usize>j << 2);
        if (full) block4x8(K, ar, arsB, acsB, bj, ldbB, cr + (<usize>j << 2), ldcB, acc);
        else block1x8(K, ar, acsB, bj, ldbB, cr + (<usize>j << 2), acc);
      }
      for (; j < N4; j += 4) {
        const bj = b + (<usize>j << 2);
        if (full) block4x4(K, ar, arsB, acsB, bj, ldbB, cr + (<usize>j << 2), ldcB, acc);
        else block1x4(K, ar, acsB, bj, ldbB, cr + (<usize>j << 2), acc);
      }
      for (; j < N; j++) {
        const bj = b + (<usize>j << 2);
        const rr = full ? 4 : 1;
        for (let q = 0; q < rr; q++) {
          scalar1x1(K, ar + <usize>q * arsB, acsB, bj, ldbB, cr + <usize>q * ldcB + (<usize>j << 2), acc);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Small helpers over contiguous rows.

/** dst[r, j] = src[r * lds + j] + bias[j] for r < rows, j < cols (dst row stride ldd). */
export function addBias(rows: i32, cols: i32, dst: usize, ldd: i32, bias: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = dst + ((<usize>r * ldd) << 2);
    for (let j = 0; j < cols; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + load<f32>(bias + (<usize>j << 2)));
    }
  }
}

/** out[j] (+)= sum_r src[r * lds + j]. */
export function colSum(rows: i32, cols: i32, src: usize, lds: i32, out: usize, accumulate: i32): void {
  for (let j = 0; j < cols; j++) {
    let s: f32 = 0;
    let p = src + (<usize>j << 2);
    const step = <usize>lds << 2;
    for (let r = 0; r < rows; r++) {
      s += load<f32>(p);
      p += step;
    }
    const o = out + (<usize>j << 2);
    store<f32>(o, accumulate != 0 ? load<f32>(o) + s : s);
  }
}

/**
 * Dropout masks that stay fixed over time: for rows (t, b) of a time-major sequence with `n`
 * samples per step, out[t, b, :] = x[t, b, :] * mask[b, :] (`cols` wide, contiguous).
 */
export function maskSeq(T: i32, n: i32, cols: i32, x: usize, mask: usize, out: usize): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < n; b++) {
      const row = (<usize>(t * n + b) * cols) << 2;
      const m = mask + ((<usize>b * cols) << 2);
      for (let j = 0; j < cols; j++) {
        const o = <usize>j << 2;
        store<f32>(out + row + o, load<f32>(x + row + o) * load<f32>(m + o));
      }
    }
  }
}

/** dst[i] += src[i] * (mask ? mask[i] : 1) for i < len. */
export function addScaled(len: i32, dst: usize, src: usize, mask: usize): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const s = load<f32>(src + o);
    store<f32>(dst + o, load<f32>(dst + o) + (mask != 0 ? s * load<f32>(mask + o) : s));
  }
}

/** out[c, r] = src[r, c]: a rows x cols matrix transposed. */
export function transpose(rows: i32, cols: i32, src: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(out + ((<usize>(c * rows + r)) << 2), load<f32>(src + ((<usize>(r * cols + c)) << 2)));
    }
  }
}

// ---------------------------------------------------------------------------------------
// LSTM cell, Keras semantics: gates [i | f | c | o], recurrent activation sigmoid,
// activation `act` (0 tanh, 1 sigmoid) for the candidate and the output.

@inline
function sigmoid(x: f32): f32 {
  return <f32>1 / (<f32>1 + Mathf.exp(-x));
}

@inline
function activate(x: f32, act: i32): f32 {
  return act == 0 ? Mathf.tanh(x) : sigmoid(x);
}

/** derivative of the activation, from its output y */
@inline
function activationGrad(y: f32, act: i32): f32 {
  return act == 0 ? <f32>1 - y * y : y * (<f32>1 - y);
}

/**
 * The recurrence of one layer over T steps for n samples. On entry `gates` holds the input
 * contribution x_t W + b (T, n, 4U); on return it holds the activated gates, `h` the outputs
 * (T, n, U), `c` the cell states and `ac` act(c). `rmask` (4, n, U) is the recurrent dropout
 * mask per gate (0 = none); `hm` is scratch of n * U.
 */
export function lstmForward(T: i32, n: i32, U: i32, gates: usize, wr: usize, h: usize, c: usize, ac: usize, rmask: usize, hm: usize, act: i32): void {
  const G = 4 * U;
  const nU = <usize>(n * U);
  for (let t = 0; t < T; t++) {
    const gt = gates + ((<usize>(t * n * G)) << 2);
    if (t > 0) {
      const hp = h + ((<usize>((t - 1) * n * U)) << 2);
      if (rmask == 0) {
        gemm(n, G, U, hp, U, 1, wr, G, gt, G, 1);
      } else {
        for (let g = 0; g < 4; g++) {
          const m = rmask + ((<usize>g * nU) << 2);
          for (let i: usize = 0; i < nU; i++) store<f32>(hm + (i << 2), load<f32>(hp + (i << 2)) * load<f32>(m + (i << 2)));
          gemm(n, U, U, hm, U, 1, wr + (<usize>(g * U) << 2), G, gt + (<usize>(g * U) << 2), G, 1);
        }
      }
    }
    const ct = c + ((<usize>(t * n * U)) << 2);
    const cp = c + ((<usize>((t - 1) * n * U)) << 2);
    const ht = h + ((<usize>(t * n * U)) << 2);
    const at = ac + ((<usize>(t * n * U)) << 2);
    for (let b = 0; b < n; b++) {
      const row = gt + ((<usize>(b * G)) << 2);
      for (let u = 0; u < U; u++) {
        const pi = row + (<usize>u << 2);
        const pf = pi + (<usize>U << 2);
        const pg = pf + (<usize>U << 2);
        const po = pg + (<usize>U << 2);
        const ig = sigmoid(load<f32>(pi));
        const fg = sigmoid(load<f32>(pf));
        const gg = activate(load<f32>(pg), act);
        const og = sigmoid(load<f32>(po));
        store<f32>(pi, ig);
        store<f32>(pf, fg);
        store<f32>(pg, gg);
        store<f32>(po, og);
        const k = (<usize>(b * U + u)) << 2;
        const cprev: f32 = t > 0 ? load<f32>(cp + k) : 0;
        const cv = fg * cprev + ig * gg;
        const av = activate(cv, act);
        store<f32>(ct + k, cv);
        store<f32>(at + k, av);
        store<f32>(ht + k, og * av);
      }
    }
  }
}

/**
 * Backpropagation through time of one layer. `dh` (T, n, U) holds dLoss/dh_t from above
 * and is consumed (the recurrent part is added into it as the loop walks back); `dz`
 * (T, n, 4U) receives dLoss/d(pre-activation gates). `wrT` is the recurrent kernel
 * transposed (4U, U). `dc` and `tmp` are scratch of n * U.
 */
export function lstmBackward(T: i32, n: i32, U: i32, gates: usize, c: usize, ac: usize, wrT: usize, rmask: usize, dh: usize, dz: usize, dc: usize, tmp: usize, act: i32): void {
  const G = 4 * U;
  const nU = <usize>(n * U);
  memory.fill(dc, 0, nU << 2);
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + ((<usize>(t * n * G)) << 2);
    const zt = dz + ((<usize>(t * n * G)) << 2);
    const dht = dh + ((<usize>(t * n * U)) << 2);
    const at = ac + ((<usize>(t * n * U)) << 2);
    const cp = c + ((<usize>((t - 1) * n * U)) << 2);
    for (let b = 0; b < n; b++) {
      const grow = gt + ((<usize>(b * G)) << 2);
      const zrow = zt + ((<usize>(b * G)) << 2);
      for (let u = 0; u < U; u++) {
        const k = (<usize>(b * U + u)) << 2;
        const o4 = <usize>u << 2;
        const U4 = <usize>U << 2;
        const ig = load<f32>(grow + o4);
        const fg = load<f32>(grow + o4 + U4);
        const gg = load<f32>(grow + o4 + 2 * U4);
        const og = load<f32>(grow + o4 + 3 * U4);
        const av = load<f32>(at + k);
        const dhv = load<f32>(dht + k);
        const dcv = dhv * og * activationGrad(av, act) + load<f32>(dc + k);
        const cprev: f32 = t > 0 ? load<f32>(cp + k) : 0;
        store<f32>(dc + k, dcv * fg);
        store<f32>(zrow + o4, dcv * gg * ig * (<f32>1 - ig));
        store<f32>(zrow + o4 + U4, dcv * cprev * fg * (<f32>1 - fg));
        store<f32>(zrow + o4 + 2 * U4, dcv * ig * activationGrad(gg, act));
        store<f32>(zrow + o4 + 3 * U4, dhv * av * og * (<f32>1 - og));
      }
    }
    if (t > 0) {
      const dhp = dh + ((<usize>((t - 1) * n * U)) << 2);
      if (rmask == 0) {
        gemm(n, U, G, zt, G, 1, wrT, U, dhp, U, 1);
      } else {
        for (let g = 0; g < 4; g++) {
          gemm(n, U, U, zt + (<usize>(g * U) << 2), G, 1, wrT + ((<usize>(g * U * U)) << 2), U, tmp, U, 0);
          addScaled(<i32>nU, dhp, tmp, rmask + ((<usize>g * nU) << 2));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------

/** tfjs' Adam update (bias correction through 1 - beta^t, epsilon outside the sqrt). */
export function adam(len: i32, p: usize, g: usize, m: usize, v: usize, lr: f32, beta1: f32, beta2: f32, eps: f32, oneMinusAcc1: f32, oneMinusAcc2: f32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = beta1 * load<f32>(m + o) + (<f32>1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (<f32>1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    const mh = mi / oneMinusAcc1;
    const vh = vi / oneMinusAcc2;
    store<f32>(p + o, load<f32>(p + o) - (lr * mh) / (Mathf.sqrt(vh) + eps));
  }
}
