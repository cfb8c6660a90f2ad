// Copies each member's batch rows out of the pack's resident data (uploaded once) into the
// input sequence, applying the patching reshape: patched step t holds raw values
// [t * FP, (t + 1) * FP) of the row, zeros past its end. Also gathers the labels.
override T: u32; // patched time steps
override FP: u32; // patched features
override RAW: u32; // raw values per row (timesteps * features)
override TOTAL: u32; // K * B * T * FP

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> rows: array<u32>;
@group(0) @binding(2) var<storage, read> data: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<f32>;
@group(0) @binding(4) var<storage, read_write> xin: array<f32>;
@group(0) @binding(5) var<storage, read_write> ybatch: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flat_index(wid, lid, nwg);
  if (idx >= TOTAL) { return; }
  let kb = idx / (T * FP);
  let k = kb / B;
  let b = kb % B;
  if (!has_row(k, b)) { return; }
  let row = rows[kb];
  let at = idx % (T * FP);
  xin[idx] = select(0.0, data[row * RAW + at], at < RAW);
  if (at == 0u) { ybatch[kb] = labels[row]; }
}
