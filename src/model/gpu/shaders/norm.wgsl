// Each clipping training member's global gradient L2 norm, one workgroup per member.
override P: u32;

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> norms: array<f32>;

var<workgroup> partial: array<f32, 64>;
var<workgroup> live: u32;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let k = wid.x;
  if (lid.x == 0u) { live = select(0u, 1u, meta_u(k, M_MODE) == MODE_TRAIN && meta_f(k, M_CLIP) > 0.0); }
  if (workgroupUniformLoad(&live) == 0u) { return; }
  var s = 0.0;
  for (var i = lid.x; i < P; i += 64u) { let g = grads[k * P + i]; s += g * g; }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var h = 32u; h > 0u; h >>= 1u) {
    if (lid.x < h) { partial[lid.x] += partial[lid.x + h]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { norms[k] = sqrt(partial[0]); }
}
