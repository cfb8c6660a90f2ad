/**
 * PPV (proportion of positive values) of conv[from, to) - bias for `count` consecutive biases,
 * written to out[at ...]: the transform's hot loop.
 */
export function writePpv(
  conv: Float32Array,
  from: number,
  to: number,
  biases: Float32Array,
  first: number,
  count: number,
  out: Float32Array,
  at: number,
): void {
  const inv = 1 / (to - from);
  // +(a > b) instead of an if: the comparison's outcome is unpredictable, a branch mispredicts.
  // Eight (then four) biases per pass: each output value is loaded once for all of them.
  let b = 0;
  for (; b + 8 <= count; b += 8) {
    const b0 = biases[first + b]!;
    const b1 = biases[first + b + 1]!;
    const b2 = biases[first + b + 2]!;
    const b3 = biases[first + b + 3]!;
    const b4 = biases[first + b + 4]!;
    const b5 = biases[first + b + 5]!;
    const b6 = biases[first + b + 6]!;
    const b7 = biases[first + b + 7]!;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    let p4 = 0;
    let p5 = 0;
    let p6 = 0;
    let p7 = 0;
    for (let t = from; t < to; t++) {
      const v = conv[t]!;
      p0 += +(v > b0);
      p1 += +(v > b1);
      p2 += +(v > b2);
      p3 += +(v > b3);
      p4 += +(v > b4);
      p5 += +(v > b5);
      p6 += +(v > b6);
      p7 += +(v > b7);
    }
    out[at + b] = p0 * inv;
    out[at + b + 1] = p1 * inv;
    out[at + b + 2] = p2 * inv;
    out[at + b + 3] = p3 * inv;
    out[at + b + 4] = p4 * inv;
    out[at + b + 5] = p5 * inv;
    out[at + b + 6] = p6 * inv;
    out[at + b + 7] = p7 * inv;
  }
  for (; b + 4 <= count; b += 4) {
    const b0 = biases[first + b]!;
    const b1 = biases[first + b + 1]!;
    const b2 = biases[first + b + 2]!;
    const b3 = biases[first + b + 3]!;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    for (let t = from; t < to; t++) {
      const v = conv[t]!;
      p0 += +(v > b0);
      p1 += +(v > b1);
      p2 += +(v > b2);
      p3 += +(v > b3);
    }
    out[at + b] = p0 * inv;
    out[at + b + 1] = p1 * inv;
    out[at + b + 2] = p2 * inv;
    out[at + b + 3] = p3 * inv;
  }
  for (; b < count; b++) {
    const bias = biases[first + b]!;
    let positive = 0;
    for (let t = from; t < to; t++) positive += +(conv[t]! > bias);
    out[at + b] = positive * inv;
  }
}
