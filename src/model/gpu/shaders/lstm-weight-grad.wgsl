// Weight gradients of one LSTM layer from its gate gradients, summed over rows and steps:
// kernel dWk[i, c] = sum x_t[i] m_in[g, i] dz_t[c]; recurrent dWr[j, c] = sum h_{t-1}[j] m_rec[g, j] dz_t[c];
// bias = sum dz_t[c] (g = c / U). One invocation per (member, row of the three tensors, c).
override T: u32;
override I: u32;
override U: u32;
override P: u32;
override MASK_ROW: u32;
override TOTAL: u32; // K * (I + U + 1) * 4U

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> xseq: array<f32>;
@group(0) @binding(2) var<storage, read> hseq: array<f32>;
@group(0) @binding(3) var<storage, read> masks: array<f32>;
@group(0) @binding(4) var<storage, read> dz: array<f32>;
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;
// where this layer's weights sit in a member's parameters, and its masks in a row's masks
struct LayerOffsets { wk: u32, wr: u32, bias: u32, mi: u32, mr: u32 }
@group(0) @binding(6) var<uniform> at: LayerOffsets;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flat_index(wid, lid, nwg);
  if (idx >= TOTAL) { return; }
  let G = 4u * U;
  let k = idx / ((I + U + 1u) * G);
  let r = (idx / G) % (I + U + 1u);
  let c = idx % G;
  if (!is_backward(meta_u(k, M_MODE))) { return; }
  let g = c / U;
  let n = meta_u(k, M_N);
  var s = 0.0;
  for (var b = 0u; b < n; b++) {
    let kb = k * B + b;
    var sb = 0.0;
    if (r < I) {
      for (var t = 0u; t < T; t++) { sb += xseq[(kb * T + t) * I + r] * dz[(kb * T + t) * G + c]; }
      s += sb * masks[kb * MASK_ROW + at.mi + g * I + r];
    } else if (r < I + U) {
      let j = r - I;
      for (var t = 1u; t < T; t++) { sb += hseq[(kb * T + t - 1u) * U + j] * dz[(kb * T + t) * G + c]; }
      s += sb * masks[kb * MASK_ROW + at.mr + g * U + j];
    } else {
      for (var t = 0u; t < T; t++) { sb += dz[(kb * T + t) * G + c]; }
      s += sb;
    }
  }
  if (r < I) { grads[k * P + at.wk + r * G + c] = s; }
  else if (r < I + U) { grads[k * P + at.wr + (r - I) * G + c] = s; }
  else { grads[k * P + at.bias + c] = s; }
}
