import { canonicalJson, sha256Hex } from '../util/hash.js';
import { baselineOf, type SweepSpec } from '../definition/sweep-spec.js';

/**
 * A sweep's id is its name plus a hash of what it computes (spec and dataset content, not the
 * paths the files were read from), so enqueueing the same sweep again finds the same id.
 */
export function sweepIdOf(spec: SweepSpec, datasetHash: string): string {
  const { train: _train, test: _test, ...datasetOptions } = spec.dataset;
  // The baseline enters the id only when it is not the default: sweeps enqueued before the
  // option existed keep their ids.
  const { baseline: _baseline, ...rest } = spec;
  const baseline = baselineOf(spec) === baselineOf({ dryRun: spec.dryRun }) ? {} : { baseline: baselineOf(spec) };
  const identity = canonicalJson({ ...rest, ...baseline, dataset: { ...datasetOptions, content: datasetHash } });
  return `${spec.name}-${sha256Hex(identity).slice(0, 10)}`;
}
