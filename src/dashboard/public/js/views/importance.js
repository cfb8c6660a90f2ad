/* "Which hyperparameters matter": the importance the server computes over the finished trials
   (/api/sweeps/<id>/importance, src/analysis/importance.ts) as horizontal bars, most important on
   top, labels from the vocabulary; each bar says how the metric moves as the parameter grows.
   Too few trials: the server's note and no bars. */
import { api, sweepPath } from '../api.js';
import { $ } from '../dom.js';
import { esc, isNum } from '../format.js';
import { sweepMetric } from '../vocabulary.js';
import { axis, baseLayout, plot } from '../charts/plot.js';

const BETTER = '#1f9d63';
const WORSE = '#d1495b';
const NEUTRAL = '#8792a2';

/** The panel's `<section>`, placed by the sweep page's skeleton. */
export function importanceSection() {
  return `<section class="panel" id="importance-panel">
      <div class="panel-head"><h2>Which hyperparameters matter</h2><span class="hint" id="importance-hint"></span></div>
      <div class="panel-body"><div class="chart" id="importance-chart"></div><div class="note" id="importance-note"></div></div>
    </section>`;
}

/** Words for a correlation: does the metric get better or worse as the parameter grows? */
function trend(correlation, metric) {
  if (!isNum(correlation)) return { color: NEUTRAL, text: 'no order (named choices), or constant' };
  const better = metric.goal === 'minimize' ? correlation < 0 : correlation > 0;
  const word = Math.abs(correlation) < 0.1 ? 'hardly moves' : better ? 'gets better' : 'gets worse';
  return {
    color: Math.abs(correlation) < 0.1 ? NEUTRAL : better ? BETTER : WORSE,
    text: `correlation ${correlation.toFixed(2)}: ${metric.short} ${word} as it grows`,
  };
}

function draw(state, report) {
  const chart = $('#importance-chart');
  const metric = sweepMetric(state.vocab, report.metric);
  // Without bars the note stands in the chart's place; with them, below.
  $('#importance-note').textContent = report.parameters.length ? (report.note ?? '') : '';
  $('#importance-hint').textContent = report.parameters.length
    ? `random-forest permutation importance over ${report.used} of ${report.trials} finished trials · explains ${Math.max(0, Math.round(100 * report.r2))}% of ${metric.short} on held-out trials · green: ${metric.short} improves as the parameter grows, red: worsens, grey: no order or no trend`
    : '';
  if (!report.parameters.length) {
    if (typeof Plotly !== 'undefined') Plotly.purge(chart);
    chart.innerHTML = `<div class="empty" id="importance-empty">${esc(report.note ?? 'No importances.')}</div>`;
    return;
  }
  chart.querySelector('#importance-empty')?.remove();
  const params = report.parameters.map((p) => state.vocab.param(p.name));
  const trends = report.parameters.map((p) => trend(p.correlation, metric));
  plot(
    chart,
    [
      {
        type: 'bar',
        orientation: 'h',
        x: report.parameters.map((p) => p.importance),
        y: params.map((p) => p.label),
        customdata: report.parameters.map((p, i) => [p.name, trends[i].text]),
        marker: { color: trends.map((t) => t.color) },
        text: report.parameters.map((p) => `${(100 * p.importance).toFixed(1)}%`),
        textposition: 'outside',
        cliponaxis: false,
        hovertemplate: '<b>%{y}</b><br>importance %{x:.1%}<br>%{customdata[1]}<extra></extra>',
      },
    ],
    baseLayout({
      xaxis: axis(esc(`importance for ${metric.label}`), { tickformat: '.0%', rangemode: 'tozero' }),
      yaxis: axis('', { autorange: 'reversed', ticks: '' }),
      showlegend: false,
      height: Math.max(160, 60 + 28 * params.length),
      margin: { l: 120, r: 48, t: 12, b: 46 },
    }),
  );
}

/**
 * Whether to ask the server (again): the page refreshes on every finished trial, but a fit costs
 * the server up to a second, so while trials still run it refits once the finished trials have
 * grown by a tenth; a note of too few trials (no fit) follows every one, and an ended sweep gets
 * its final fit.
 */
function due(state) {
  const last = state.importance;
  if (!last) return true;
  if (state.ranked === last.ranked) return false;
  const c = state.sweep.counts;
  const running = c.waiting + c.active > 0;
  return !last.fitted || !running || state.ranked >= last.ranked * 1.1;
}

export async function loadImportance(state, view) {
  if (!due(state)) return;
  const asked = { ranked: state.ranked, fitted: false };
  state.importance = asked;
  let report;
  try {
    report = await api(sweepPath(state.sweepId, '/importance'));
  } catch (err) {
    state.importance = undefined; // ask again on the next refresh
    $('#importance-note').textContent = `Importance could not be computed: ${err.message}`;
    return;
  }
  if (view && !view.isCurrent()) return;
  asked.fitted = report.parameters.length > 0;
  draw(state, report);
}
