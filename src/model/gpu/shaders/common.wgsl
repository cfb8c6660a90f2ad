// Shared by every kernel of the packed engine (prepended by ../shaders.ts).
// A pack holds K members (trials); member k's row of `members` (META_STRIDE u32) says what it does
// in the current pass. Floats are stored as their bits.
override META_STRIDE: u32;
override B: u32; // batch rows per member and pass

const MODE_OFF = 0u;
const MODE_TRAIN = 1u; // forward, backward, Adam
const MODE_PREDICT = 2u; // forward only, no dropout
const MODE_GRAD = 3u; // forward and backward, no update (exactness tests)

const M_MODE = 0u;
const M_N = 1u; // rows of this pass
const M_SEED = 2u;
const M_STEP = 3u; // the member's own step counter: dropout masks depend on (seed, step), never on the slot
const M_DROP = 4u;
const M_RDROP = 5u;
const M_LR = 6u;
const M_C1 = 7u; // 1 - beta1^t
const M_C2 = 8u; // 1 - beta2^t
const M_CLIP = 9u; // global gradient-norm clip, 0: none
const M_PRED = 10u; // where the probabilities go in `preds`, 0xffffffff: nowhere
const M_MASKS = 11u; // 0 all ones, 1 drawn from (seed, step), 2 kept (written by the host)
const M_CW = 12u; // 1: class weights follow
const M_WEIGHTS = 13u;

fn meta_u(k: u32, f: u32) -> u32 { return members[k * META_STRIDE + f]; }
fn meta_f(k: u32, f: u32) -> f32 { return bitcast<f32>(members[k * META_STRIDE + f]); }
fn is_backward(mode: u32) -> bool { return mode == MODE_TRAIN || mode == MODE_GRAD; }
/** true when member k has row b in this pass */
fn has_row(k: u32, b: u32) -> bool { return meta_u(k, M_MODE) != MODE_OFF && b < meta_u(k, M_N); }

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
// Keras' activation of the candidate and the output: 0 tanh, 1 sigmoid (the lstm head)
fn activate(x: f32, act: u32) -> f32 { if (act == 0u) { return tanh(x); } return sigmoid(x); }
// its derivative, from its output
fn activation_grad(y: f32, act: u32) -> f32 { if (act == 0u) { return 1.0 - y * y; } return y * (1.0 - y); }

// 1-D index of an element-wise kernel dispatched as a 2-D grid of 64-wide workgroups
fn flat_index(wid: vec3<u32>, lid: vec3<u32>, nwg: vec3<u32>) -> u32 { return (wid.y * nwg.x + wid.x) * 64u + lid.x; }

// GPUs may assume no NaN or infinity (WGSL lets them), so x != x can be compiled away:
// non-finite values are told by their exponent bits
fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
