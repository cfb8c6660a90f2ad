import { canonicalJson, sha256Hex } from '../util/hash.js';
import type { SweepSpec } from '../definition/sweep-spec.js';

/**
 * A sweep's id is its name plus a hash of what it computes (spec and dataset content, not the
 * paths the files were read from), so enqueueing the same sweep again finds the same id.
 */
export function sweepIdOf(spec: SweepSpec, datasetHash: string): string {
  const { train: _train, test: _test, ...datasetOptions } = spec.dataset;
  const identity = canonicalJson({ ...spec, dataset: { ...datasetOptions, content: datasetHash } });
  return `${spec.name}-${sha256Hex(identity).slice(0, 10)}`;
}
