import type { Metric } from '../../definition/sweep-spec.js';
import type { SweepStore } from '../../store/sweep-store.js';
import type { Pruner } from '../pruner.js';
import { AshaPruner, type AshaConfig } from './asha.js';

/** The pruners a spec's `earlyTerminate.type` may name: a new one is one file plus one line here. */
const PRUNERS = {
  asha: (config: AshaConfig, store: Pick<SweepStore, 'addToRung'>, metric: Metric): Pruner => new AshaPruner(store, config, metric),
};

/** The pruner of a trial whose sweep early-terminates (the job's settings), or undefined. */
export function prunerFor(
  settings: (AshaConfig & { type?: keyof typeof PRUNERS }) | undefined,
  store: Pick<SweepStore, 'addToRung'>,
  metric: Metric,
): Pruner | undefined {
  return settings ? PRUNERS[settings.type ?? 'asha'](settings, store, metric) : undefined;
}
