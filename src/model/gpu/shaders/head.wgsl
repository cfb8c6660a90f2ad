// The head, one workgroup per member: probabilities of every row of the pass, the weighted
// cross-entropy summed into the member's epoch loss (read back once per epoch), dLoss/d(logits)
// and, for training members, the head's weight gradients and dLoss/d(its input vector).
// KIND 0: Dense(1, sigmoid); 1: Dense(k, softmax); 2: the lstm head (its output is the probability).
// tfjs' clipping: probabilities clipped to [EPS, 1 - EPS] in the loss, zero gradient outside.
override KIND: u32;
override WIN: u32; // input vector size (the dense head's; 1 for the lstm head)
override UNITS: u32;
override P: u32;
override SLOTS: u32; // members the pack holds (the non-finite flags follow the loss sums)
override KERNEL: u32;
override BIAS: u32;

const EPS = 1e-7;

@group(0) @binding(0) var<storage, read> members: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> vec: array<f32>; // (K, B, WIN): the last block's output
@group(0) @binding(3) var<storage, read> ybatch: array<f32>;
@group(0) @binding(4) var<storage, read_write> probs: array<f32>; // (K, B, UNITS)
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>; // (K, B, UNITS)
@group(0) @binding(6) var<storage, read_write> dvec: array<f32>; // (K, B, WIN)
@group(0) @binding(7) var<storage, read_write> grads: array<f32>;
@group(0) @binding(8) var<storage, read_write> preds: array<f32>;
// (2K): per member the weighted loss summed since the last read, then a non-finite flag (1: it diverged)
@group(0) @binding(9) var<storage, read_write> loss: array<f32>;

var<workgroup> partial: array<f32, 64>;
var<workgroup> diverged: atomic<u32>;
var<workgroup> live: u32;

fn class_weight(k: u32, y: u32) -> f32 {
  if (meta_u(k, M_CW) == 0u) { return 1.0; }
  return meta_f(k, M_WEIGHTS + y);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let k = wid.x;
  if (lid.x == 0u) { live = meta_u(k, M_MODE); atomicStore(&diverged, 0u); }
  let mode = workgroupUniformLoad(&live);
  if (mode == MODE_OFF) { return; }
  let n = meta_u(k, M_N);
  let train = is_backward(mode);
  let nf = f32(n);
  let p = k * P;
  let pred = meta_u(k, M_PRED);
  var lsum = 0.0;
  for (var b = lid.x; b < n; b += 64u) {
    let kb = k * B + b;
    let o = kb * UNITS;
    if (KIND == 2u) {
      probs[o] = vec[kb];
    } else {
      var mx = -3.0e38;
      for (var u = 0u; u < UNITS; u++) {
        var z = params[p + BIAS + u];
        for (var i = 0u; i < WIN; i++) { z += vec[kb * WIN + i] * params[p + KERNEL + i * UNITS + u]; }
        probs[o + u] = z;
        mx = max(mx, z);
      }
      if (KIND == 0u) {
        probs[o] = sigmoid(probs[o]);
      } else {
        var sum = 0.0;
        for (var u = 0u; u < UNITS; u++) { let e = exp(probs[o + u] - mx); probs[o + u] = e; sum += e; }
        for (var u = 0u; u < UNITS; u++) { probs[o + u] = probs[o + u] / sum; }
      }
    }
    for (var u = 0u; u < UNITS; u++) { if (!finite(probs[o + u])) { atomicStore(&diverged, 1u); } }
    if (pred != 0xffffffffu) {
      for (var u = 0u; u < UNITS; u++) { preds[pred + b * UNITS + u] = probs[o + u]; }
    }
    if (mode == MODE_PREDICT) { continue; }
    let y = u32(ybatch[kb]);
    let w = class_weight(k, y);
    if (KIND == 1u) {
      let py = probs[o + y];
      lsum -= w * log(clamp(py, EPS, 1.0 - EPS));
      let inside = py > EPS && py < 1.0 - EPS;
      for (var u = 0u; u < UNITS; u++) {
        dlogits[o + u] = select(0.0, w * (probs[o + u] - select(0.0, 1.0, u == y)) / nf, inside);
      }
    } else {
      let pv = probs[o];
      let yf = f32(y);
      let pc = clamp(pv, EPS, 1.0 - EPS);
      lsum -= w * (yf * log(pc) + (1.0 - yf) * log(1.0 - pc));
      let inside = pv > EPS && pv < 1.0 - EPS;
      // Dense: d/dlogit = p - y; lstm head: d/dp = (p - y) / (p (1 - p))
      var d = w * (pv - yf) / nf;
      if (KIND == 2u) { d = d / (pv * (1.0 - pv)); }
      dlogits[o] = select(0.0, d, inside);
    }
  }
  partial[lid.x] = lsum;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid.x < s) { partial[lid.x] += partial[lid.x + s]; }
    workgroupBarrier();
  }
  if (mode == MODE_PREDICT) { return; }
  if (lid.x == 0u) {
    loss[k] += partial[0];
    if (atomicLoad(&diverged) != 0u || !finite(partial[0])) { loss[SLOTS + k] = 1.0; }
  }
  storageBarrier();
  if (!train) { return; }
  if (KIND == 2u) {
    for (var b = lid.x; b < n; b += 64u) { dvec[k * B + b] = dlogits[(k * B + b) * UNITS]; }
    return;
  }
  // kernel and bias gradients, then dLoss/d(input vector)
  for (var e = lid.x; e < (WIN + 1u) * UNITS; e += 64u) {
    let i = e / UNITS;
    let u = e % UNITS;
    var s = 0.0;
    for (var b = 0u; b < n; b++) {
      let d = dlogits[(k * B + b) * UNITS + u];
      if (i < WIN) { s += vec[(k * B + b) * WIN + i] * d; } else { s += d; }
    }
    if (i < WIN) { grads[p + KERNEL + i * UNITS + u] = s; } else { grads[p + BIAS + u] = s; }
  }
  for (var e = lid.x; e < n * WIN; e += 64u) {
    let b = e / WIN;
    let i = e % WIN;
    var s = 0.0;
    for (var u = 0u; u < UNITS; u++) { s += dlogits[(k * B + b) * UNITS + u] * params[p + KERNEL + i * UNITS + u]; }
    dvec[(k * B + b) * WIN + i] = s;
  }
}
