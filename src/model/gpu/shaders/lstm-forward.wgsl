// One LSTM layer over the whole sequence: one workgroup per (row, member), the time loop inside
// the kernel, h and c of the row in workgroup memory. Keras semantics: gates [i | f | c | o],
// sigmoid recurrent activation, ACT for the candidate and the output, one dropout mask per gate
// held for the sequence (input masks on x, recurrent masks on h_{t-1}).
override T: u32;
override I: u32; // input size
override U: u32; // units
override P: u32;
override ACT: u32;
override RETSEQ: bool; // every step's output; else only the last step's (a vector)
override SKIP: bool; // out = h + x (x[:, -1] without RETSEQ)
override MASK_ROW: u32;

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> xseq: array<f32>; // (K, B, T, I)
@group(0) @binding(3) var<storage, read> masks: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>; // (K, B, T, 4U), activated
@group(0) @binding(5) var<storage, read_write> cell: array<f32>; // (K, B, T, U)
@group(0) @binding(6) var<storage, read_write> hseq: array<f32>; // (K, B, T, U)
@group(0) @binding(7) var<storage, read_write> out: array<f32>; // (K, B, T, U) with RETSEQ and SKIP, (K, B, U) without RETSEQ
// where this layer's weights sit in a member's parameters, and its masks in a row's masks
struct LayerOffsets { wk: u32, wr: u32, bias: u32, mi: u32, mr: u32 }
@group(0) @binding(8) var<uniform> at: LayerOffsets;

var<workgroup> xs: array<f32, I>;
var<workgroup> hs: array<f32, U>;
var<workgroup> cs: array<f32, U>;
var<workgroup> zs: array<f32, 4 * U>;
var<workgroup> live: u32;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wid.x;
  let k = wid.y;
  if (lid.x == 0u) { live = select(0u, 1u, has_row(k, b)); }
  if (workgroupUniformLoad(&live) == 0u) { return; }
  let G = 4u * U;
  let p = k * P;
  let kb = k * B + b;
  let mrow = kb * MASK_ROW;
  for (var t = 0u; t < T; t++) {
    let kbt = kb * T + t;
    for (var i = lid.x; i < I; i += 64u) { xs[i] = xseq[kbt * I + i]; }
    workgroupBarrier();
    for (var c = lid.x; c < G; c += 64u) {
      let g = c / U;
      var z = 0.0;
      for (var i = 0u; i < I; i++) { z += xs[i] * masks[mrow + at.mi + g * I + i] * params[p + at.wk + i * G + c]; }
      z += params[p + at.bias + c];
      if (t > 0u) {
        for (var j = 0u; j < U; j++) { z += hs[j] * masks[mrow + at.mr + g * U + j] * params[p + at.wr + j * G + c]; }
      }
      var a: f32;
      if (g == 2u) { a = activate(z, ACT); } else { a = sigmoid(z); }
      zs[c] = a;
      gates[kbt * G + c] = a;
    }
    workgroupBarrier();
    for (var u = lid.x; u < U; u += 64u) {
      var cprev = 0.0;
      if (t > 0u) { cprev = cs[u]; }
      let cv = zs[U + u] * cprev + zs[u] * zs[2u * U + u];
      let h = zs[3u * U + u] * activate(cv, ACT);
      cell[kbt * U + u] = cv;
      hseq[kbt * U + u] = h;
      if (RETSEQ && SKIP) { out[kbt * U + u] = h + xs[u]; }
      if (!RETSEQ && t == T - 1u) {
        var o = h;
        if (SKIP) { o += xs[u]; }
        out[kb * U + u] = o;
      }
      cs[u] = cv;
      hs[u] = h;
    }
    workgroupBarrier();
  }
}
