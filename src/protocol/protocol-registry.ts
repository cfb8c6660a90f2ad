import type { Dataset } from '../data/types.js';
import type { TrialConfig } from '../model/trial-config.js';
import { crossValidation } from './cross-validation.js';
import { holdout } from './holdout.js';
import type { ProtocolOptions, ProtocolResult, ProtocolSettings } from './protocol.js';

export type { Phase, ProtocolOptions, ProtocolResult, ProtocolSettings } from './protocol.js';

type Protocol = (config: TrialConfig, dataset: Dataset, settings: ProtocolSettings, opts: ProtocolOptions) => Promise<ProtocolResult>;

/** The validation protocols a sweep resolves to (`dataset.protocol`): a new one is one file plus one line here. */
const PROTOCOLS = { holdout, cv: crossValidation } satisfies Record<'holdout' | 'cv', Protocol>;

/** Trains one trial under its sweep's validation protocol (a job with cvFolds is cross-validated). */
export function runProtocol(
  config: TrialConfig,
  dataset: Dataset,
  settings: ProtocolSettings,
  opts: ProtocolOptions,
): Promise<ProtocolResult> {
  return PROTOCOLS[settings.cvFolds ? 'cv' : 'holdout'](config, dataset, settings, opts);
}
