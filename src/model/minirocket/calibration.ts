/**
 * Class probabilities from ridge decision values, calibrated on the leave-one-out decision values
 * of the train file: one positive scale s, fitted by minimising the leave-one-out cross-entropy.
 * Binary: P(class 1) = sigmoid(s * score) (Platt scaling without the intercept, so that P >= 0.5
 * exactly when the ridge says class 1). k > 2: softmax(s * scores), i.e. temperature 1 / s, which
 * keeps the ridge's argmax. A scale only stretches the scores, so the decisions never change.
 *
 * Targets are Platt's (1999) regularised ones rather than 0/1: a series of a class with N train
 * series counts as (N + 1) / (N + 2) that class, the rest spread evenly over the other classes.
 * Without it a train file whose leave-one-out predictions are all right (common: GunPoint, CBF)
 * drives the scale to its bound and every test probability to 0 or 1.
 */

/** Search range of the scale; the upper end bounds the confidence when the train file separates perfectly. */
const MIN_SCALE = 1e-3;
const MAX_SCALE = 1e3;

/** Probabilities in the engines' layout: binary (n) P(class 1); k > 2 (n, k) rows summing to 1. */
export function probabilities(decision: ArrayLike<number>, n: number, classes: number, scale: number): Float32Array {
  if (classes === 2) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-scale * decision[i]!));
    return out;
  }
  const out = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, decision[i * classes + c]!);
    let sum = 0;
    const e = new Float64Array(classes);
    for (let c = 0; c < classes; c++) sum += e[c] = Math.exp(scale * (decision[i * classes + c]! - max));
    for (let c = 0; c < classes; c++) out[i * classes + c] = e[c]! / sum;
  }
  return out;
}

/** -log sigmoid(m), stable for large |m|. */
const softplusNeg = (m: number) => (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m)));

/** Mean cross-entropy of the scaled decisions against Platt's regularised targets (float64). */
export function crossEntropy(decision: ArrayLike<number>, labels: ArrayLike<number>, classes: number, scale: number): number {
  const n = labels.length;
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) counts[Math.round(labels[i]!)]!++;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const y = Math.round(labels[i]!);
    const target = (counts[y]! + 1) / (counts[y]! + 2);
    if (classes === 2) {
      const m = (y === 1 ? 1 : -1) * scale * decision[i]!;
      loss += target * softplusNeg(m) + (1 - target) * softplusNeg(-m);
    } else {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, scale * decision[i * classes + c]!);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(scale * decision[i * classes + c]! - max);
      const logSum = max + Math.log(sum);
      const other = (1 - target) / (classes - 1);
      for (let c = 0; c < classes; c++) loss += (c === y ? target : other) * (logSum - scale * decision[i * classes + c]!);
    }
  }
  return loss / n;
}

/**
 * The scale minimising the cross-entropy: golden-section search on log(scale) (the loss is convex
 * in the scale, hence unimodal in its log).
 */
export function fitScale(decision: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  const f = (u: number) => crossEntropy(decision, labels, classes, Math.exp(u));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(MIN_SCALE);
  let hi = Math.log(MAX_SCALE);
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let iter = 0; iter < 80; iter++) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}
