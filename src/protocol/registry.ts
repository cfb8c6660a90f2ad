import type { Dataset } from '../data/types.js';
import type { TrialConfig } from '../model/trial-config.js';
import { crossValidation } from './cross-validation.js';
import { holdout } from './holdout.js';
import type { ProtocolOptions, ProtocolResult, ProtocolSettings } from './protocol.js';

export type { Phase, ProtocolOptions, ProtocolResult, ProtocolSettings } from './protocol.js';

/** Trains one trial under its sweep's validation protocol. */
export function runProtocol(config: TrialConfig, dataset: Dataset, settings: ProtocolSettings, opts: ProtocolOptions): Promise<ProtocolResult> {
  return (settings.cvFolds ? crossValidation : holdout)(config, dataset, settings, opts);
}
