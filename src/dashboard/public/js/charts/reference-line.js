/* The sweep's baseline (MiniRocket) on the effect plots: a dashed horizontal line at its value of
   the sweep's metric, labelled, drawn only once the baseline is done. */

const METHODS = { minirocket: 'MiniRocket' };

/** "MiniRocket baseline" */
export function baselineName(baseline) {
  return `${METHODS[baseline.method] ?? baseline.method} baseline`;
}

/** `{value, label}` of the baseline's value of the sweep's metric, or undefined (none, not done yet). */
export function baselineReference(sweep, metric) {
  const b = sweep.baseline;
  const value = b && b.state === 'done' ? b.metrics?.[metric.name] : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return { value, label: `${baselineName(b)} ${value.toFixed(4)}` };
}

/** Layout entries (shapes, annotations) for a plot whose y axis is the metric; {} without a reference. */
export function referenceLine(ref) {
  if (!ref) return {};
  return {
    shapes: [
      {
        type: 'line',
        name: 'baseline',
        xref: 'paper',
        x0: 0,
        x1: 1,
        yref: 'y',
        y0: ref.value,
        y1: ref.value,
        line: { color: '#d1495b', width: 1.5, dash: 'dash' },
      },
    ],
    annotations: [
      {
        xref: 'paper',
        x: 1,
        xanchor: 'right',
        yref: 'y',
        y: ref.value,
        yanchor: 'bottom',
        text: ref.label,
        showarrow: false,
        font: { size: 11, color: '#d1495b' },
      },
    ],
  };
}
