import type * as tf from '@tensorflow/tfjs';
import type { DenseHeadPlan, HeadKind, HeadPlan, LstmHeadPlan } from '../network-plan.js';
import { denseHead } from './dense.js';
import { lstmHead } from './lstm.js';
import type { HeadBuilder, HeadContext } from './head.js';

export type { HeadBuilder, HeadContext } from './head.js';
/** What a head is (units, activation, loss, input) for a config's head name and class count. */
export { headSpec as getHead, type HeadSpec as ModelHead } from '../network-plan.js';

/** The layer builder of each head kind of the plan (the softmax head is a Dense too). */
export const HEADS: { readonly [K in HeadKind]: HeadBuilder<K extends LstmHeadPlan['kind'] ? LstmHeadPlan : DenseHeadPlan> } = {
  dense: denseHead,
  softmax: denseHead,
  lstm: lstmHead,
};

/** Adds the layers of the plan's head on top of `x`; the returned tensor is the model output. */
export function buildHead(x: tf.SymbolicTensor, plan: HeadPlan, ctx: HeadContext): tf.SymbolicTensor {
  return plan.kind === 'lstm' ? HEADS.lstm.build(x, plan, ctx) : HEADS[plan.kind].build(x, plan, ctx);
}
