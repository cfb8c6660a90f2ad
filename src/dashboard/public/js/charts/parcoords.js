/* Parallel coordinates (WebGL): an axis per varying parameter, then the metric; each line a trial. */
import { fmtParam, metricTitle } from '../format.js';
import { distinctValues, isCategorical, parameterValue } from '../vocabulary.js';
import { COLORSCALE, baseLayout, hasWebGL, plot } from './plot.js';

/** One axis: categories as evenly spaced ticks, `log` parameters on a log10 scale, numbers as they are. */
export function dimension(p, rows) {
  const vals = rows.map((r) => parameterValue(r.config, p));
  const uniq = distinctValues(vals);
  if (isCategorical(p, uniq)) {
    const keys = uniq.map(String);
    return {
      label: p.label,
      values: vals.map((v) => keys.indexOf(String(v))),
      tickvals: uniq.map((_, i) => i),
      ticktext: uniq.map((v) => fmtParam(p, v)),
      range: [0, Math.max(1, uniq.length - 1)],
    };
  }
  if (p.log && uniq.every((v) => v > 0)) {
    const tickvals = uniq.length <= 8 ? uniq.map((v) => Math.log10(v)) : undefined;
    return {
      label: `${p.label} (log)`,
      values: vals.map((v) => Math.log10(v)),
      tickvals,
      ticktext: tickvals ? uniq.map((v) => fmtParam(p, v)) : undefined,
    };
  }
  const integers = uniq.every((v) => Number.isInteger(v));
  return { label: p.label, values: vals, tickvals: uniq.length <= 8 ? uniq : undefined, tickformat: integers ? 'd' : '.3~f' };
}

/**
 * The metric's axis; with a reference (the baseline, charts/reference-line.js) its range reaches
 * the reference's value, which gets a labelled tick among five plain ones.
 */
function metricDimension(metric, mvals, ref) {
  const dim = { label: metricTitle(metric), values: mvals, tickformat: '.3f' };
  if (!ref) return dim;
  const lo = Math.min(...mvals, ref.value);
  const hi = Math.max(...mvals, ref.value);
  // Plain ticks too close to the reference's would hide its label.
  const ticks = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4).filter((v) => Math.abs(v - ref.value) > (hi - lo) / 10);
  return {
    ...dim,
    range: [lo, hi],
    tickvals: [...ticks, ref.value],
    ticktext: [...ticks.map((v) => v.toFixed(3)), `◀ ${ref.label}`],
  };
}

export function drawParcoords(el, params, rows, metric, ref) {
  if (!hasWebGL()) {
    el.innerHTML = '<div class="empty">The parallel-coordinates view needs WebGL, which this browser does not offer.</div>';
    return;
  }
  if (el.querySelector('.empty')) el.innerHTML = '';
  const mvals = rows.map((r) => r.metrics[metric.name]);
  const dims = params.map((p) => dimension(p, rows));
  dims.push(metricDimension(metric, mvals, ref));
  plot(
    el,
    [
      {
        type: 'parcoords',
        line: {
          color: mvals,
          cmin: Math.min(...mvals),
          cmax: Math.max(...mvals),
          colorscale: COLORSCALE,
          reversescale: metric.goal === 'minimize',
          showscale: true,
          colorbar: { title: { text: metric.short }, thickness: 12 },
        },
        dimensions: dims,
        labelfont: { size: 12 },
        tickfont: { size: 11 },
      },
    ],
    baseLayout({ margin: { l: 60, r: 60, t: 48, b: 24 }, height: 340 }),
  );
}
