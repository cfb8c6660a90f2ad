// Dropout masks of every layer for every member and row: Keras' LSTM draws one mask per gate,
// (4, I) on the input and (4, U) on the recurrent state, held for the whole sequence. Per row the
// input masks of all layers come first (MASK_IN floats), then the recurrent ones.
override MASK_ROW: u32; // floats per row
override MASK_IN: u32;
override TOTAL: u32; // K * B * MASK_ROW

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read_write> masks: array<f32>;

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flat_index(wid, lid, nwg);
  if (idx >= TOTAL) { return; }
  let k = idx / (B * MASK_ROW);
  let within = idx % (B * MASK_ROW);
  let mode = meta_u(k, M_MODE);
  let how = meta_u(k, M_MASKS);
  if (mode == MODE_OFF || how == 2u) { return; }
  var rate = meta_f(k, M_DROP);
  if (within % MASK_ROW >= MASK_IN) { rate = meta_f(k, M_RDROP); }
  if (mode == MODE_PREDICT || how == 0u || rate <= 0.0) { masks[idx] = 1.0; return; }
  // a member's masks depend on its seed, its step and the position only: packed or alone, the same
  let h = pcg(meta_u(k, M_SEED) ^ pcg(meta_u(k, M_STEP) ^ pcg(within)));
  let u = f32(h >> 8u) / 16777216.0;
  masks[idx] = select(0.0, 1.0 / (1.0 - rate), u >= rate);
}
