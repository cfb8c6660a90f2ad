/* Learning curves (per epoch) of the selected trials: finished ones from their results, trials in
   training from their live histories (dashed). A cross-validated trial's line is the mean of its
   folds, drawn with the folds, the refit and the epoch budget (cv-curves.js). */
import { api, sweepPath } from '../api.js';
import { $ } from '../dom.js';
import { configLabel, esc, isNum, shortId } from '../format.js';
import { axis, baseLayout, colorOf, plot } from './plot.js';
import { budgetMarker, foldTraces, refitTraces } from './cv-curves.js';

let curvesSeq = 0;

export async function loadCurves(state) {
  const ids = [...state.selected];
  const seq = ++curvesSeq;
  const curves = ids.length ? await api(sweepPath(state.sweepId, `/curves?${new URLSearchParams({ trials: ids.join(',') })}`)) : [];
  if (seq !== curvesSeq || !document.getElementById('curve-loss')) return;
  state.curves = curves;
  drawCurves(state);
}

/** The three panels: training loss (not a result metric), then two metrics of the vocabulary. */
function panels(vocab) {
  const valLoss = vocab.metric('valLoss');
  const valAuc = vocab.metric('valAuc');
  const title = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  return [
    { id: 'curve-loss', key: 'loss', title: 'Training loss', y: 'loss' },
    { id: 'curve-valLoss', key: 'valLoss', title: title(valLoss.label), y: valLoss.short },
    { id: 'curve-valAuc', key: 'valAuc', title: title(valAuc.label), y: valAuc.short, legend: true },
  ];
}

/** "#2 ab12cd34", "(training, fold 2/3)" while it trains. */
function trialLabel(c, rank) {
  const phase = c.phase?.kind === 'fold' ? `, fold ${c.phase.fold}/${c.phase.folds}` : c.phase?.kind === 'refit' ? ', refit' : '';
  return `${rank ? `#${rank} ` : ''}${shortId(c.trialId)}${c.status === 'training' ? ` (training${phase})` : ''}`;
}

export function drawCurves(state) {
  const rankOf = new Map(state.rows.map((r) => [r.trialId, r.rank]));
  const cvCurves = state.curves.filter((c) => c.cv);
  for (const p of panels(state.vocab)) {
    const traces = state.curves.flatMap((c) => {
      const color = colorOf(state.selected, c.trialId);
      const label = trialLabel(c, rankOf.get(c.trialId));
      const name = c.cv ? `${label} · mean of ${c.cv.folds} folds` : label;
      const main = {
        type: 'scatter',
        mode: c.history.length > 1 ? 'lines' : 'lines+markers',
        name,
        legendgroup: c.trialId,
        showlegend: Boolean(p.legend),
        x: c.history.map((h) => h.epoch),
        y: c.history.map((h) => (isNum(h[p.key]) ? h[p.key] : null)),
        line: { color, width: 2, dash: c.status === 'training' ? 'dash' : 'solid' },
        marker: { color, size: 5 },
        hovertemplate: `<b>${esc(name)}</b><br>${esc(configLabel(c.config, state.varying))}<br>epoch %{x}<br>${esc(p.y)}: %{y:.4f}<extra></extra>`,
      };
      return [...foldTraces(c, p, label, color), main, ...refitTraces(c, p, label, color)];
    });
    const markers = cvCurves.map((c, i) => budgetMarker(c, colorOf(state.selected, c.trialId), i)).filter(Boolean);
    const legend = p.legend || traces.some((t) => t.showlegend);
    plot(
      $(`#${p.id}`),
      traces,
      baseLayout({
        title: { text: esc(p.title), font: { size: 13 }, x: 0.02, xanchor: 'left' },
        xaxis: axis('epoch', { rangemode: 'tozero' }),
        yaxis: axis(esc(p.y)),
        legend: { orientation: 'h', y: -0.28, font: { size: 11 } },
        showlegend: legend,
        margin: { l: 56, r: 12, t: 34, b: legend ? 70 : 46 },
        shapes: markers.map((m) => m.shape),
        annotations: markers.map((m) => m.annotation),
      }),
    );
  }
  const missing = state.selected.size - state.curves.length;
  $('#curves-note').textContent =
    state.selected.size === 0
      ? 'Select trials in the table to plot their learning curves.'
      : missing > 0
        ? `${missing} selected trial(s) have no history yet.`
        : cvCurves.length > 0
          ? 'Cross-validated trials: thick line = mean of the folds, thin lines = each fold, dashed vertical line = the epoch budget the folds chose; dotted (training loss only) = the refit on the whole train file, whose own "validation" is that file itself.'
          : '';
}
