import type { Head } from '../../spec/trial-config.js';
import { denseHead } from './dense.js';
import { lstmHead } from './lstm.js';
import type { ModelHead } from './types.js';

export type { ModelHead, HeadContext } from './types.js';

/** Registry of output heads, keyed by `TrialConfig.head`. A new head: one file + one entry. */
export const HEADS: Readonly<Record<Head, ModelHead>> = {
  dense: denseHead,
  lstm: lstmHead,
};

export function getHead(name: Head): ModelHead {
  const head = HEADS[name] as ModelHead | undefined;
  if (!head) throw new Error(`unknown head '${String(name)}' (known: ${Object.keys(HEADS).join(', ')})`);
  return head;
}
