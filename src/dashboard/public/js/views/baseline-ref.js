/* The sweep's baseline (the `baseline` of /api/sweeps/<id>: MiniRocket) as a reference: a row at
   the top of the leaderboard, outside the ranking, and a stat next to "Best". */
import { esc, fmtMetric, metricTitle } from '../format.js';
import { sweepMetric } from '../vocabulary.js';
import { baselineName } from '../charts/reference-line.js';

/**
 * The reference row for the table's columns `cols` (those with `ref(baseline)` show its value),
 * or '' when the sweep has no baseline. Not done yet: its state across the row.
 */
export function referenceRow(state, cols) {
  const b = state.sweep.baseline;
  if (!b) return '';
  const marker = '<td><span class="badge ref" title="reference, not ranked">ref</span></td>';
  const lead = cols.findIndex((c) => c.ref);
  if (b.state !== 'done' || lead < 0) {
    const why = b.state === 'failed' && b.reason ? ` (${b.reason})` : '';
    return `<tr class="ref" data-ref="baseline" data-state="${esc(b.state)}">${marker}<td class="ref-label" colspan="${cols.length}">${esc(`${baselineName(b)}: ${b.state}${why}`)}</td></tr>`;
  }
  const cells = cols
    .slice(lead)
    .map((c) => `<td class="${c.num ? 'num' : ''}" data-key="${esc(c.key)}">${c.ref ? c.ref(b) : ''}</td>`)
    .join('');
  return `<tr class="ref" data-ref="baseline" data-state="done">${marker}<td class="ref-label" colspan="${lead}" title="the sweep's reference: not ranked">${esc(baselineName(b))}</td>${cells}</tr>`;
}

/** The stat next to "Best": the baseline's value of the sweep's metric, or its state. */
export function baselineStat(state) {
  const s = state.sweep;
  const b = s.baseline;
  if (!b) return '';
  const value = b.state === 'done' ? b.metrics?.[s.metric.name] : undefined;
  const metric = metricTitle(sweepMetric(state.vocab, s.metric));
  return `<div class="stat baseline" title="${esc(`${baselineName(b)}: ${metric}`)}"><div class="label">${esc(baselineName(b))}</div>
    <div class="value" id="stat-baseline">${b.state === 'done' ? fmtMetric(value) : esc(b.state)}</div>
    <div class="sub">reference, not ranked</div></div>`;
}
