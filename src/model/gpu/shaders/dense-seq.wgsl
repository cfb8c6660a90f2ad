// TimeDistributed(Dense(W)) over every step of every row: the input projection.
override T: u32;
override F: u32;
override W: u32;
override P: u32; // parameters per member
override KERNEL: u32; // offsets in the member's parameters
override BIAS: u32;
override TOTAL: u32; // K * B * T * W

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> xin: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flat_index(wid, lid, nwg);
  if (idx >= TOTAL) { return; }
  let kbt = idx / W;
  let w = idx % W;
  let k = kbt / (B * T);
  if (!has_row(k, (kbt / T) % B)) { return; }
  let p = k * P;
  var z = 0.0;
  for (var f = 0u; f < F; f++) { z += xin[kbt * F + f] * params[p + KERNEL + f * W + w]; }
  out[idx] = z + params[p + BIAS + w];
}
