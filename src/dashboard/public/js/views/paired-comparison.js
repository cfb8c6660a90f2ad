/* Paired comparisons (GET api/sweeps/<id>/compare, src/analysis/paired.ts): finished trials that
   differ only in the picked parameter, on the same seed. Per other value: the server's one-glance
   sentence, and a strip of the per-pair differences of the sweep's metric with a zero line and
   the mean ± its 95% interval. */
import { api, sweepPath } from '../api.js';
import { $ } from '../dom.js';
import { esc, shortId } from '../format.js';
import { PALETTE, axis, baseLayout, plot } from '../charts/plot.js';

export function compareSkeleton() {
  return `<section class="panel" id="compare-panel">
      <div class="panel-head"><h2>Paired comparisons</h2><span class="hint">trials that differ only in one parameter, on the same seed: each point is a pair's difference; ◆ the mean ± 95% interval</span><span class="spacer"></span>
        <label class="toggle">by <select id="compare-by"></select></label></div>
      <div class="panel-body"><div id="compare-sentences"></div><div class="chart" id="compare-plot"></div><div class="note" id="compare-note"></div></div>
    </section>`;
}

/** The parameter picked by default: residual when the sweep varies it, else the first that varies. */
function defaultBy(names) {
  return names.includes('residual') ? 'residual' : names[0];
}

export function bindCompare(state) {
  $('#compare-by').addEventListener('change', (ev) => {
    state.compareBy = ev.target.value;
    void drawCompare(state, true);
  });
}

/** Refetches when the parameter or the number of finished trials changed (or when `force`). */
export async function drawCompare(state, force = false) {
  const names = state.varying.filter((p) => p.name !== 'seed').map((p) => p.name);
  const note = $('#compare-note');
  if (!names.length) {
    $('#compare-sentences').innerHTML = '';
    note.textContent = 'The sweep varies no parameter: nothing to compare.';
    return;
  }
  const by = names.includes(state.compareBy) ? state.compareBy : defaultBy(names);
  state.compareBy = by;
  const c = state.sweep.counts;
  const key = `${by}|${c.completed}|${c.pruned ?? 0}`;
  if (!force && key === state.compareKey) return;
  state.compareKey = key;
  let result;
  try {
    result = await api(sweepPath(state.sweepId, `/compare?by=${encodeURIComponent(by)}`));
  } catch (err) {
    note.textContent = err.message;
    return;
  }
  if (state.compareBy !== by) return; // another parameter was picked meanwhile
  drawPicker(state, result.parameters.length ? result.parameters : names, by);
  drawResult(state, result);
}

function drawPicker(state, names, by) {
  $('#compare-by').innerHTML = names
    .map((name) => `<option value="${esc(name)}"${name === by ? ' selected' : ''}>${esc(state.vocab.param(name).label)}</option>`)
    .join('');
}

function drawResult(state, r) {
  $('#compare-sentences').innerHTML = r.comparisons
    .map((c) => `<p class="compare-sentence" data-value="${esc(String(c.value))}"><b>${esc(c.sentence)}</b></p>`)
    .join('');
  const unit = r.metric.unit === 'points' ? ' (points)' : '';
  const pruned = r.trials.pruned ? `; ${r.trials.pruned} trials stopped early by ASHA left out` : '';
  $('#compare-note').textContent =
    (r.noPairs ? `${r.noPairs}. ` : '') +
    `Difference = ${r.label} value − ${r.label} ${r.reference} in ${r.metric.label}${unit}, over ${r.trials.finished} finished trials${pruned}.`;
  drawStrip(state, r);
}

/** One row per compared value: the pairs' differences, jittered vertically, and the mean ± interval. */
function drawStrip(state, r) {
  const el = $('#compare-plot');
  const rows = r.comparisons.filter((c) => c.pairs.some((p) => p.metric.diff !== null));
  if (!rows.length) {
    el.innerHTML = '';
    el.style.minHeight = '0';
    return;
  }
  el.style.minHeight = `${Math.max(160, 90 + 60 * rows.length)}px`;
  const shared = state.varying.filter((p) => p.name !== r.by && p.name !== 'seed');
  const traces = rows.flatMap((c, i) => {
    const pairs = c.pairs.filter((p) => p.metric.diff !== null);
    const color = PALETTE[i % PALETTE.length];
    return [
      {
        type: 'scatter',
        mode: 'markers',
        name: `${r.label} ${c.value}: pairs`,
        meta: { value: c.value, kind: 'pairs' },
        x: pairs.map((p) => p.metric.diff),
        y: pairs.map((_, j) => i + ((j % 5) - 2) * 0.06),
        text: pairs.map(
          (p) =>
            `seed ${p.seed} · ${shared.map((s) => `${esc(s.short)} ${esc(String(p.config[s.name]))}`).join(' · ')}<br>` +
            `${esc(shortId(p.trials.other))} − ${esc(shortId(p.trials.reference))}`,
        ),
        hovertemplate: '%{x:+.3f}<br>%{text}<extra></extra>',
        marker: { color, size: 9, opacity: 0.75 },
      },
      {
        type: 'scatter',
        mode: 'markers',
        name: `${r.label} ${c.value}: mean ± 95% interval`,
        meta: { value: c.value, kind: 'mean' },
        x: [c.summary.metric.mean],
        y: [i - 0.28],
        error_x: { type: 'data', array: [c.summary.metric.halfWidth ?? 0], visible: true, color, thickness: 2 },
        hovertemplate: `mean %{x:+.3f} ± ${(c.summary.metric.halfWidth ?? 0).toFixed(3)} (n = ${c.summary.metric.n})<extra></extra>`,
        marker: { color, size: 12, symbol: 'diamond' },
      },
    ];
  });
  plot(
    el,
    traces,
    baseLayout({
      showlegend: false,
      margin: { l: 120, r: 16, t: 12, b: 46 },
      xaxis: axis(
        `${esc(r.metric.label)}: ${esc(r.label)} value − ${esc(r.label)} ${esc(String(r.reference))}${r.metric.unit === 'points' ? ' (points)' : ''}`,
        {
          zeroline: true,
          zerolinecolor: '#8a94a3',
          zerolinewidth: 2,
        },
      ),
      yaxis: axis('', {
        tickvals: rows.map((_, i) => i),
        ticktext: rows.map((c) => `${esc(r.label)} ${esc(String(c.value))}`),
        range: [rows.length - 0.4, -0.6],
      }),
      shapes: [{ type: 'line', x0: 0, x1: 0, yref: 'paper', y0: 0, y1: 1, line: { color: '#8a94a3', width: 1.5, dash: 'dot' } }],
    }),
  );
}
