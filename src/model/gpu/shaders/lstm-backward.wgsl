// Backpropagation through time of one LSTM layer, one workgroup per (row, member), the reverse
// time loop inside the kernel: from dLoss/d(output) (DOUT: the sequence with RETSEQ, else the
// last step's vector) to dLoss/d(pre-activation gates) `dz` (K, B, T, 4U). The skip
// connection's share of the gradient is added by lstm-input-grad.wgsl.
override T: u32;
override U: u32;
override P: u32;
override ACT: u32;
override RETSEQ: bool;
override MASK_ROW: u32;

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> gates: array<f32>;
@group(0) @binding(3) var<storage, read> cell: array<f32>;
@group(0) @binding(4) var<storage, read> masks: array<f32>;
@group(0) @binding(5) var<storage, read> dout: array<f32>; // (K, B, T, U) or (K, B, U)
@group(0) @binding(6) var<storage, read_write> dz: array<f32>; // (K, B, T, 4U)
// where this layer's weights sit in a member's parameters, and its masks in a row's masks
struct LayerOffsets { wk: u32, wr: u32, bias: u32, mi: u32, mr: u32 }
@group(0) @binding(7) var<uniform> at: LayerOffsets;

var<workgroup> dhr: array<f32, U>; // recurrent share of dLoss/dh_t, from step t + 1
var<workgroup> dcs: array<f32, U>;
var<workgroup> dzs: array<f32, 4 * U>;
var<workgroup> live: u32;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wid.x;
  let k = wid.y;
  if (lid.x == 0u) { live = select(0u, 1u, has_row(k, b) && is_backward(meta_u(k, M_MODE))); }
  if (workgroupUniformLoad(&live) == 0u) { return; }
  let G = 4u * U;
  let p = k * P;
  let kb = k * B + b;
  let mrow = kb * MASK_ROW;
  for (var u = lid.x; u < U; u += 64u) { dhr[u] = 0.0; dcs[u] = 0.0; }
  workgroupBarrier();
  for (var step = 0u; step < T; step++) {
    let t = T - 1u - step;
    let kbt = kb * T + t;
    for (var u = lid.x; u < U; u += 64u) {
      var dh = dhr[u];
      if (RETSEQ) { dh += dout[kbt * U + u]; } else if (t == T - 1u) { dh += dout[kb * U + u]; }
      let ig = gates[kbt * G + u];
      let fg = gates[kbt * G + U + u];
      let gg = gates[kbt * G + 2u * U + u];
      let og = gates[kbt * G + 3u * U + u];
      let av = activate(cell[kbt * U + u], ACT);
      var cprev = 0.0;
      if (t > 0u) { cprev = cell[(kbt - 1u) * U + u]; }
      let dcv = dh * og * activation_grad(av, ACT) + dcs[u];
      dcs[u] = dcv * fg;
      let zi = dcv * gg * ig * (1.0 - ig);
      let zf = dcv * cprev * fg * (1.0 - fg);
      let zg = dcv * ig * activation_grad(gg, ACT);
      let zo = dh * av * og * (1.0 - og);
      dzs[u] = zi;
      dzs[U + u] = zf;
      dzs[2u * U + u] = zg;
      dzs[3u * U + u] = zo;
      dz[kbt * G + u] = zi;
      dz[kbt * G + U + u] = zf;
      dz[kbt * G + 2u * U + u] = zg;
      dz[kbt * G + 3u * U + u] = zo;
    }
    workgroupBarrier();
    if (t > 0u) {
      for (var j = lid.x; j < U; j += 64u) {
        var s = 0.0;
        for (var g = 0u; g < 4u; g++) {
          var sg = 0.0;
          for (var u = 0u; u < U; u++) { sg += dzs[g * U + u] * params[p + at.wr + j * G + g * U + u]; }
          s += sg * masks[mrow + at.mr + g * U + j];
        }
        dhr[j] = s;
      }
    }
    workgroupBarrier();
  }
}
