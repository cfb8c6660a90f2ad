/* Hyperparameter effects: the parallel coordinates and, per varying parameter, the metric against
   its values (categorical axes for booleans and named choices, a log axis for `log` parameters),
   with the mean per value and the best trial starred. */
import { $ } from '../dom.js';
import { configLabel, esc, fmtParam, isNum, shortId } from '../format.js';
import { distinctValues, isCategorical, parameterValue, sweepMetric } from '../vocabulary.js';
import { drawParcoords } from './parcoords.js';
import { baselineReference } from './reference-line.js';
import { COLORSCALE, axis, baseLayout, jitter, plot } from './plot.js';
import { referenceLine } from './reference-line.js';

/** The parameters with an effect plot: every one that varies; the architecture when nothing does. */
function effectParams(state) {
  return state.varying.length ? state.varying : ['depth', 'width'].map((name) => state.vocab.param(name));
}

/** x positions and axis of one parameter's plot. */
function xAxisOf(p, rows) {
  const vals = rows.map((r) => parameterValue(r.config, p));
  const uniq = distinctValues(vals);
  const discrete = uniq.length <= 12;
  if (isCategorical(p, uniq)) {
    const keys = uniq.map(String);
    return {
      xs: rows.map((r, i) => keys.indexOf(String(vals[i])) + jitter(r.trialId, 0.25)),
      vals,
      uniq,
      at: (v) => keys.indexOf(String(v)),
      discrete: true,
      axis: axis(esc(p.label), {
        tickvals: uniq.map((_, i) => i),
        ticktext: uniq.map((v) => fmtParam(p, v)),
        range: [-0.5, uniq.length - 0.5],
      }),
    };
  }
  const log = Boolean(p.log) && uniq.every((v) => v > 0);
  const step = uniq.length > 1 ? Math.min(...uniq.slice(1).map((u, j) => u - uniq[j])) : 1;
  const xs = rows.map((r, i) => {
    const v = vals[i];
    if (!discrete) return v;
    return log ? v * Math.pow(10, jitter(r.trialId, 0.08)) : v + jitter(r.trialId, step * 0.18 || 0.1);
  });
  const ticks = discrete ? { tickvals: uniq, ticktext: uniq.map((v) => fmtParam(p, v)) } : {};
  return {
    xs,
    vals,
    uniq,
    at: (v) => v,
    discrete,
    axis: axis(esc(log ? `${p.label} (log)` : p.label), { ...(log ? { type: 'log' } : {}), ...ticks }),
  };
}

function scatter(state, p, rows, metric, ref) {
  const x = xAxisOf(p, rows);
  const mvals = rows.map((r) => r.metrics[metric.name]);
  const text = rows.map((r) => `${shortId(r.trialId)} · #${r.rank}<br>${esc(configLabel(r.config, state.varying))}`);
  const traces = [
    {
      type: 'scatter',
      mode: 'markers',
      x: x.xs,
      y: mvals,
      text,
      customdata: rows.map((r, i) => [r.trialId, fmtParam(p, x.vals[i])]),
      name: 'trials',
      marker: {
        size: 8,
        color: mvals,
        colorscale: COLORSCALE,
        reversescale: metric.goal === 'minimize',
        line: { width: 0.5, color: '#fff' },
        opacity: 0.9,
      },
      hovertemplate: `%{text}<br>${esc(p.label)}: %{customdata[1]}<br>${esc(metric.short)}: %{y:.4f}<extra></extra>`,
    },
  ];
  if (x.discrete && x.uniq.length > 1) {
    const means = x.uniq.map((u) => {
      const ys = rows.filter((_, i) => String(x.vals[i]) === String(u)).map((r) => r.metrics[metric.name]);
      return ys.reduce((a, b) => a + b, 0) / ys.length;
    });
    traces.unshift({
      type: 'scatter',
      mode: 'lines+markers',
      x: x.uniq.map(x.at),
      y: means,
      name: 'mean',
      line: { color: '#9aa3af', width: 1.5, dash: 'dot' },
      marker: { color: '#667085', size: 6, symbol: 'line-ew-open' },
      hovertemplate: `mean ${esc(metric.short)}: %{y:.4f}<extra></extra>`,
    });
  }
  const bestId = state.rows[0]?.trialId;
  const bestIdx = rows.findIndex((r) => r.trialId === bestId);
  if (bestIdx >= 0) {
    traces.push({
      type: 'scatter',
      mode: 'markers',
      x: [x.xs[bestIdx]],
      y: [mvals[bestIdx]],
      name: 'best',
      marker: { symbol: 'star', size: 15, color: '#f0a202', line: { width: 1, color: '#8a5a00' } },
      hovertemplate: `best: ${shortId(bestId)}<br>${esc(metric.short)}: %{y:.4f}<extra></extra>`,
    });
  }
  plot(
    $(`#scatter-${p.name}`),
    traces,
    baseLayout({
      title: { text: esc(`${metric.label} vs ${p.label}`), font: { size: 13 }, x: 0.03, xanchor: 'left' },
      xaxis: x.axis,
      yaxis: axis(esc(metric.short)),
      showlegend: false,
      ...referenceLine(ref),
      height: 250,
      margin: { l: 56, r: 12, t: 34, b: 44 },
    }),
  );
}

export function drawEffects(state) {
  const metric = sweepMetric(state.vocab, state.sweep.metric);
  const rows = state.rows.filter((r) => isNum(r.metrics[metric.name]));
  const params = effectParams(state);
  const ref = baselineReference(state.sweep, metric);
  const key = JSON.stringify([rows.map((r) => r.trialId), params.map((p) => p.name), ref ?? null]);
  if (key === state.effectsKey) return;
  state.effectsKey = key;
  // A large sweep's leaderboard arrives a page at a time: the plots show the trials loaded.
  $('#effects-note').textContent =
    state.ranked > state.rows.length
      ? `The best ${state.rows.length} of ${state.ranked} finished trials (the leaderboard's "more" adds the next ones).`
      : '';
  const grid = $('#scatter');
  if (rows.length < 2) {
    $('#parcoords').innerHTML = '<div class="empty">Hyperparameter effects appear once two trials have finished.</div>';
    grid.innerHTML = '';
    grid.dataset.params = '';
    return;
  }
  drawParcoords($('#parcoords'), params, rows, metric, ref);
  const ids = params.map((p) => `scatter-${p.name}`);
  if (grid.dataset.params !== ids.join(',')) {
    grid.innerHTML = ids.map((id, i) => `<div class="chart" id="${esc(id)}" data-param="${esc(params[i].name)}"></div>`).join('');
    grid.dataset.params = ids.join(',');
  }
  for (const p of params) scatter(state, p, rows, metric, ref);
}
