// Clipping by global norm (per member) and tfjs' Adam: bias correction through 1 - beta^t,
// epsilon outside the square root. `norm.wgsl` computed each member's gradient norm first.
override P: u32;
override SLOTS: u32; // members the pack holds (the non-finite flags follow the loss sums)
override TOTAL: u32; // K * P
override BETA1: f32 = 0.9;
override BETA2: f32 = 0.999;
override EPSILON: f32 = 1e-7;

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> norms: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<storage, read_write> loss: array<f32>; // (2K): sums, then the non-finite flags

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flat_index(wid, lid, nwg);
  if (idx >= TOTAL) { return; }
  let k = idx / P;
  if (meta_u(k, M_MODE) != MODE_TRAIN) { return; }
  var g = grads[idx];
  let clip = meta_f(k, M_CLIP);
  if (clip > 0.0 && norms[k] > clip) { g = g * (clip / norms[k]); }
  let mi = BETA1 * m[idx] + (1.0 - BETA1) * g;
  let vi = BETA2 * v[idx] + (1.0 - BETA2) * g * g;
  m[idx] = mi;
  v[idx] = vi;
  let next = params[idx] - (meta_f(k, M_LR) * (mi / meta_f(k, M_C1))) / (sqrt(vi / meta_f(k, M_C2)) + EPSILON);
  params[idx] = next;
  // a diverged member is told by its weights: its loss may stay finite once clipped
  if (!finite(next)) { loss[SLOTS + k] = 1.0; }
}
