// dLoss/d(layer input) of one LSTM layer: through the gates, sum_c dz_t[c] Wk[i, c] m_in[g, i],
// plus the skip connection's share (the gradient of the output itself, at the last step only
// without RETSEQ). One invocation per (member, row, step, i).
override T: u32;
override I: u32;
override U: u32;
override P: u32;
override RETSEQ: bool;
override SKIP: bool;
override MASK_ROW: u32;
override TOTAL: u32; // K * B * T * I

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> masks: array<f32>;
@group(0) @binding(3) var<storage, read> dz: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> dxseq: array<f32>; // (K, B, T, I)
// where this layer's weights sit in a member's parameters, and its masks in a row's masks
struct LayerOffsets { wk: u32, wr: u32, bias: u32, mi: u32, mr: u32 }
@group(0) @binding(6) var<uniform> at: LayerOffsets;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flat_index(wid, lid, nwg);
  if (idx >= TOTAL) { return; }
  let kbt = idx / I;
  let i = idx % I;
  let kb = kbt / T;
  let t = kbt % T;
  let k = kb / B;
  if (!has_row(k, kb % B) || !is_backward(meta_u(k, M_MODE))) { return; }
  let G = 4u * U;
  let p = k * P;
  var s = 0.0;
  for (var g = 0u; g < 4u; g++) {
    var sg = 0.0;
    for (var u = 0u; u < U; u++) { sg += dz[kbt * G + g * U + u] * params[p + at.wk + i * G + g * U + u]; }
    s += sg * masks[kb * MASK_ROW + at.mi + g * I + i];
  }
  if (SKIP) {
    if (RETSEQ) { s += dout[kbt * U + i]; } else if (t == T - 1u) { s += dout[kb * U + i]; }
  }
  dxseq[idx] = s;
}
