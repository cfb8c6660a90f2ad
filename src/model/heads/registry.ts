import type { Head } from '../trial-config.js';
import { denseHead } from './dense.js';
import { lstmHead } from './lstm.js';
import { softmaxHead } from './softmax.js';
import type { ModelHead } from './head.js';

export type { ModelHead, HeadContext } from './head.js';

/** Registry of output heads, keyed by `TrialConfig.head`. A new head: one file + one entry. */
export const HEADS: Readonly<Record<Head, ModelHead>> = {
  dense: denseHead,
  lstm: lstmHead,
};

/** The head for a task of `classes` classes: with more than two, `dense` becomes a softmax. */
export function getHead(name: Head, classes = 2): ModelHead {
  const head = HEADS[name] as ModelHead | undefined;
  if (!head) throw new Error(`unknown head '${String(name)}' (known: ${Object.keys(HEADS).join(', ')})`);
  if (classes <= 2) return head;
  if (name !== 'dense') throw new Error(`the ${name} head is binary only; a ${classes}-class task needs head dense (softmax)`);
  return softmaxHead(classes);
}
