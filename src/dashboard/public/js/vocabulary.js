/* The vocabulary the server serves at /api/meta (src/definition/vocabulary.ts): every parameter
   and metric with its label, kind, default and direction. Every view takes its columns, axes and
   labels from here. Pure functions (no DOM); types: vocabulary.d.ts. */

/**
 * The value a config means for a parameter: a stored config leaves out options that hold what
 * their absence means (`absent`, e.g. residual: true), and a spec that does not sweep a parameter
 * gives it its `default`.
 */
export function parameterValue(config, info) {
  if (!config) return undefined;
  const v = config[info.name];
  if (v !== undefined && v !== null) return v;
  return info.absent !== undefined ? info.absent : info.default;
}

/** Lookups over /api/meta; names it does not know get a plain entry named after themselves. */
export function createVocabulary(meta) {
  const parameters = [...meta.parameters, meta.seed];
  const params = new Map(parameters.map((p) => [p.name, p]));
  const metrics = new Map(meta.metrics.map((m) => [m.name, m]));
  return {
    /** every parameter, in table order, the seed last */
    parameters,
    metrics: [...meta.metrics],
    param: (name) => params.get(name) ?? { name, label: name, short: name, kind: 'float', default: undefined, description: '' },
    metric: (name) =>
      metrics.get(name) ?? {
        name,
        label: name,
        short: name,
        goal: /loss/i.test(name) ? 'minimize' : 'maximize',
        split: name.startsWith('test') ? 'test' : 'val',
      },
  };
}

/** True for parameters shown on a categorical axis (booleans, named choices). */
export function isCategorical(info, values = []) {
  return info.kind === 'categorical' || info.kind === 'boolean' || values.some((v) => typeof v !== 'number');
}

/** The distinct values, in axis order: numbers ascending, false before true, names alphabetically. */
export function distinctValues(values) {
  const seen = new Map();
  for (const v of values) if (v !== undefined && v !== null) seen.set(`${typeof v}:${v}`, v);
  return [...seen.values()].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : typeof a === 'boolean' && typeof b === 'boolean'
        ? Number(a) - Number(b)
        : String(a).localeCompare(String(b)),
  );
}

/**
 * The parameters that vary in a sweep, in vocabulary order: those its spec sweeps (`swept`, from
 * the API) and any whose value differs among the given configs (absent values read as their meaning).
 */
export function varyingParameters(vocab, swept, configs) {
  const named = new Set(swept ?? []);
  const present = (configs ?? []).filter(Boolean);
  return vocab.parameters.filter((p) => named.has(p.name) || distinctValues(present.map((c) => parameterValue(c, p))).length > 1);
}

/**
 * The parameters that do not vary, each with its one value: from the configs when there are any,
 * else from the spec (a one-value list, the seeds) or the default.
 */
export function fixedParameters(vocab, varying, configs, sweep) {
  const skip = new Set(varying.map((p) => p.name));
  const first = (configs ?? []).find(Boolean);
  return vocab.parameters
    .filter((p) => !skip.has(p.name))
    .map((p) => {
      if (first) return { param: p, value: parameterValue(first, p) };
      const listed = p.name === 'seed' ? sweep?.seeds : sweep?.parameters?.[p.name];
      return { param: p, value: Array.isArray(listed) && listed.length > 0 ? listed[0] : p.default };
    })
    .filter((f) => f.value !== undefined);
}

/** The metrics to show for some results: the sweep's first, then every other one some result has. */
export function shownMetrics(vocab, first, rows) {
  const has = (name) => rows.some((r) => typeof r.metrics?.[name] === 'number' && Number.isFinite(r.metrics[name]));
  return [vocab.metric(first), ...vocab.metrics.filter((m) => m.name !== first && has(m.name))];
}

/** A sweep's metric ({name, goal} of its spec) with its label from the vocabulary. */
export function sweepMetric(vocab, metric) {
  return { ...vocab.metric(metric.name), goal: metric.goal };
}
