/* What a cross-validated trial adds to its learning curves: each fold's curve (thin), the refit's
   (training loss only: its "validation" figures are measured on the train file itself, which says
   nothing about generalisation) and the epoch budget the folds chose (a vertical line). */
import { esc, isNum } from '../format.js';

const values = (history, key) => history.map((h) => (isNum(h[key]) ? h[key] : null));

/** "fold 2/3" traces, thin and faint in the trial's colour; one legend entry toggles them all. */
export function foldTraces(c, panel, label, color) {
  const folds = c.cv?.foldHistories ?? [];
  return folds.map((history, i) => {
    const name = `${label} · fold ${i + 1}/${folds.length}`;
    return {
      type: 'scatter',
      mode: 'lines',
      name,
      legendgroup: `${c.trialId}:folds`,
      showlegend: false,
      x: history.map((h) => h.epoch),
      y: values(history, panel.key),
      line: { color, width: 1 },
      opacity: 0.45,
      hovertemplate: `<b>${esc(name)}</b><br>validated on fold ${i + 1}<br>epoch %{x}<br>${esc(panel.y)}: %{y:.4f}<extra></extra>`,
    };
  });
}

/** The refit on the whole train file, on the training-loss panel only. */
export function refitTraces(c, panel, label, color) {
  const refit = c.cv?.refitHistory;
  if (!refit?.length || panel.key !== 'loss') return [];
  const name = `${label} · refit (whole train file, ${refit.length} epoch${refit.length === 1 ? '' : 's'})`;
  return [
    {
      type: 'scatter',
      mode: refit.length > 1 ? 'lines' : 'lines+markers',
      name,
      legendgroup: `${c.trialId}:refit`,
      showlegend: true,
      x: refit.map((h) => h.epoch),
      y: values(refit, 'loss'),
      line: { color, width: 2, dash: 'dot' },
      marker: { color, size: 5 },
      hovertemplate: `<b>${esc(name)}</b><br>the model that saw the test file<br>epoch %{x}<br>loss: %{y:.4f}<extra></extra>`,
    },
  ];
}

/** The epoch budget as a vertical line with its label ("budget: epoch 5"); `row` staggers the labels of several trials. */
export function budgetMarker(c, color, row) {
  const epoch = c.cv?.epoch;
  if (!isNum(epoch)) return undefined;
  return {
    shape: { type: 'line', xref: 'x', yref: 'paper', x0: epoch, x1: epoch, y0: 0, y1: 1, line: { color, width: 1.5, dash: 'dash' } },
    annotation: {
      xref: 'x',
      yref: 'paper',
      x: epoch,
      y: 1 - 0.08 * row,
      xanchor: 'left',
      yanchor: 'top',
      showarrow: false,
      text: `budget: epoch ${epoch}`,
      font: { size: 10, color },
      bgcolor: 'rgba(255,255,255,0.8)',
    },
  };
}
