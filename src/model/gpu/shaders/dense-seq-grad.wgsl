// Weight gradients of the input projection: dK[f, w] = sum over rows and steps of x * dOut,
// dBias[w] = sum of dOut. One invocation per (member, f or bias, w).
override T: u32;
override F: u32;
override W: u32;
override P: u32;
override KERNEL: u32;
override BIAS: u32;
override TOTAL: u32; // K * (F + 1) * W

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> xin: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flat_index(wid, lid, nwg);
  if (idx >= TOTAL) { return; }
  let k = idx / ((F + 1u) * W);
  let r = (idx / W) % (F + 1u);
  let w = idx % W;
  if (!is_backward(meta_u(k, M_MODE))) { return; }
  let n = meta_u(k, M_N);
  var s = 0.0;
  for (var b = 0u; b < n; b++) {
    let kb = k * B + b;
    for (var t = 0u; t < T; t++) {
      let kbt = kb * T + t;
      let d = dout[kbt * W + w];
      if (r < F) { s += xin[kbt * F + r] * d; } else { s += d; }
    }
  }
  if (r < F) { grads[k * P + KERNEL + r * W + w] = s; } else { grads[k * P + BIAS + w] = s; }
}
