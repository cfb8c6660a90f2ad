/* The sortable leaderboard: a column per parameter that varies (every parameter with "all
   parameters"), one per metric the results have, labels from the vocabulary. */
import { sweepPath } from '../api.js';
import { $ } from '../dom.js';
import { compareValues, esc, fmtConfigValue, fmtDuration, fmtMetric, isNum, metricTitle, shortId } from '../format.js';
import { parameterValue, shownMetrics, sweepMetric } from '../vocabulary.js';
import { colorOf } from '../charts/plot.js';
import { referenceRow } from './baseline-ref.js';
import { configColumns } from './config-table.js';

export function paramColumn(p) {
  return {
    key: p.name,
    label: p.label,
    title: p.description,
    num: p.kind === 'int' || p.kind === 'float',
    param: true,
    get: (r) => parameterValue(r.config, p),
    fmt: (r) => esc(fmtConfigValue(r.config, p)),
  };
}

function metricColumn(m, isSweepMetric) {
  return {
    key: isSweepMetric ? 'metric' : m.name,
    label: isSweepMetric ? metricTitle(m) : m.label,
    title: m.name,
    num: true,
    cls: isSweepMetric ? 'metric' : '',
    get: (r) => r.metrics[m.name],
    fmt: (r) => metricCell(r, m.name),
    ref: (b) => fmtMetric(b.metrics?.[m.name]),
  };
}

/** A validation metric of a cross-validated trial is a fold mean: "0.8123 ± 0.0210" (sd over the folds). */
function metricCell(r, name) {
  const sd = r.cv?.std?.[name];
  if (!isNum(sd) || !isNum(r.metrics[name])) return fmtMetric(r.metrics[name]);
  return `${fmtMetric(r.metrics[name])}<span class="fold-sd" title="standard deviation over ${esc(r.cv.folds)} folds"> ± ${fmtMetric(sd)}</span>`;
}

/** A download link per trial whose model was kept (not a dry run, nor --artifacts none): a zip of its model folder. */
function modelColumn(sweepId) {
  return {
    key: 'model',
    label: 'model',
    title: 'download model.json + weights.bin + trial.json (as best --trial <id> --export writes them)',
    get: (r) => (r.hasModel ? 1 : 0),
    fmt: (r) =>
      r.hasModel
        ? `<a class="download" href="api/${sweepPath(sweepId, `/trials/${encodeURIComponent(r.trialId)}/model`)}" download="${esc(`${sweepId}-${r.trialId}.zip`)}" title="download the model of ${esc(shortId(r.trialId))} (zip)">⤓ zip</a>`
        : '<span class="muted" title="no model kept (a dry run, or workers with --artifacts none)">—</span>',
    ref: (b) =>
      b.hasModel
        ? `<a class="download" href="api/${sweepPath(sweepId, '/baseline/model')}" download="${esc(`${sweepId}-baseline.zip`)}" title="download the baseline's model (minirocket.json + trial.json, zip)">⤓ zip</a>`
        : '',
  };
}

/** The columns for the sweep as it stands. */
export function tableColumns(state) {
  const params = state.allParams ? state.vocab.parameters : state.varying;
  const metric = sweepMetric(state.vocab, state.sweep.metric);
  const [, ...others] = shownMetrics(state.vocab, metric.name, state.rows);
  return [
    { key: 'rank', label: '#', num: true, get: (r) => r.rank },
    {
      key: 'trialId',
      label: 'trial',
      get: (r) => r.trialId,
      fmt: (r) => `<span class="mono" title="${esc(r.trialId)}">${esc(shortId(r.trialId))}</span>`,
    },
    ...params.map(paramColumn),
    metricColumn(metric, true),
    ...others.map((m) => metricColumn(m, false)),
    {
      key: 'epochsRun',
      label: 'epochs run',
      num: true,
      get: (r) => r.epochs,
      fmt: (r) =>
        r.prunedAt !== undefined
          ? `<span class="badge warn" title="stopped early by ASHA at epoch ${esc(r.prunedAt)}">pruned</span> ${esc(r.epochs)}`
          : r.cv
            ? `<span title="cross-validation picked epoch ${esc(r.cv.epoch)} of ${esc(r.epochs)} (${esc(r.cv.folds)} folds)">${esc(r.cv.epoch)}/${esc(r.epochs)} cv</span>`
            : esc(r.epochs),
    },
    { key: 'durationMs', label: 'time', num: true, get: (r) => r.durationMs, fmt: (r) => fmtDuration(r.durationMs) },
    { key: 'backend', label: 'engine', get: (r) => (r.engine ? `${r.engine}/${r.backend}` : r.backend) },
    { key: 'worker', label: 'worker', get: (r) => r.worker, fmt: (r) => `<span class="mono">${esc(r.worker)}</span>` },
    { key: 'attempts', label: 'attempts', num: true, get: (r) => r.attempts },
    modelColumn(state.sweep.sweepId),
  ];
}

/** Header clicks sort (again: the other way round). */
export function bindLeaderboard(state) {
  $('#leaderboard thead').addEventListener('click', (ev) => {
    const th = ev.target.closest('th[data-key]');
    if (!th) return;
    const key = th.dataset.key;
    const better = key === 'metric' ? (state.sweep.metric.goal === 'maximize' ? -1 : 1) : 1;
    state.sort = state.sort.key === key ? { key, dir: -state.sort.dir } : { key, dir: better };
    drawTable(state);
  });
}

/** A row's cells; the sweep's metric with a bar of where it lies between the worst and the best. */
function cells(cols, r, bar) {
  return cols
    .map((c) => {
      const content = c.fmt ? c.fmt(r) : esc(c.get(r));
      const inner = c.key === 'metric' ? `<span class="metricbar">${content}${bar(c.get(r))}</span>` : content;
      return `<td class="${c.num ? 'num' : ''} ${c.cls ?? ''}" data-key="${esc(c.key)}"${c.param ? ` data-param="${esc(c.key)}"` : ''}>${inner}</td>`;
    })
    .join('');
}

function trialRow(state, cols, r, bar) {
  const sel = state.selected.has(r.trialId);
  const color = colorOf(state.selected, r.trialId);
  return `<tr data-trial-id="${esc(r.trialId)}" class="${sel ? 'selected' : ''} ${r.rank === 1 ? 'best' : ''}">
        <td><input type="checkbox" data-trial="${esc(r.trialId)}" ${sel ? 'checked' : ''} aria-label="show curves of ${esc(shortId(r.trialId))}" />${color ? `<span class="swatch" style="background:${color}"></span>` : ''}</td>${cells(cols, r, bar)}</tr>`;
}

/** A configuration's row: its box selects the curves of all its seeds' trials. */
function configRow(state, cols, g, bar) {
  const sel = g.trialIds.every((id) => state.selected.has(id));
  const swatches = g.trialIds
    .map((id) => colorOf(state.selected, id))
    .filter(Boolean)
    .map((color) => `<span class="swatch" style="background:${color}"></span>`)
    .join('');
  return `<tr data-config-rank="${esc(g.rank)}" data-trials="${esc(g.trialIds.join(','))}" class="${sel ? 'selected' : ''} ${g.rank === 1 ? 'best' : ''}">
        <td><input type="checkbox" data-trials="${esc(g.trialIds.join(','))}" ${sel ? 'checked' : ''} aria-label="show curves of configuration ${esc(g.rank)}" />${swatches}</td>${cells(cols, g, bar)}</tr>`;
}

export function drawTable(state) {
  const byConfig = state.byConfig;
  const cols = byConfig ? configColumns(state, paramColumn) : tableColumns(state);
  const list = byConfig ? state.configs : state.rows;
  const { key, dir } = state.sort;
  const col = cols.find((c) => c.key === key) ?? cols[0];
  const rows = [...list].sort((a, b) => dir * compareValues(col.get(a), col.get(b)) || a.rank - b.rank);
  const metric = state.sweep.metric;
  const metricCol = cols.find((c) => c.key === 'metric');
  const values = list.map((r) => metricCol.get(r)).filter(isNum);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const bar = (v) => {
    if (!isNum(v) || !(hi > lo)) return '';
    const f = (v - lo) / (hi - lo);
    return `<i style="width:${(100 * (metric.goal === 'maximize' ? f : 1 - f)).toFixed(1)}%"></i>`;
  };

  $('#leaderboard thead').innerHTML = `<tr><th></th>${cols
    .map(
      (c) =>
        `<th class="sortable ${c.num ? 'num' : ''}" data-key="${esc(c.key)}" title="${esc(c.title ? `${c.title} · sort` : `sort by ${c.label}`)}">${c.key === key ? `<span class="arrow">${dir > 0 ? '▲' : '▼'}</span>` : ''}${esc(c.label)}</th>`,
    )
    .join('')}</tr>`;
  // The baseline first, outside the ranking and the sort.
  $('#leaderboard tbody').innerHTML =
    referenceRow(state, cols) + rows.map((r) => (byConfig ? configRow(state, cols, r, bar) : trialRow(state, cols, r, bar))).join('');
  $('#lb-empty').innerHTML =
    rows.length === 0 ? '<div class="empty">No finished trials yet — results appear here as workers complete them.</div>' : '';
  const c = state.sweep.counts;
  const loaded = byConfig ? state.configs.length : state.rows.length;
  const total = byConfig ? state.configTotal : state.ranked;
  const what = byConfig ? `configurations (${state.ranked} finished trials, ${state.sweep.seeds.length} seeds each)` : 'finished';
  const shown = loaded < total ? `best ${loaded} shown of ${total} ${what}` : `${loaded} ${what}`;
  $('#lb-hint').textContent = byConfig
    ? `${shown} · click a header to sort (the rows shown) · tick rows to plot their seeds' curves`
    : `${shown} of ${c.total} · click a header to sort (the rows shown) · tick rows to plot their curves`;
  const rest = total - loaded;
  $('#lb-more').hidden = rest <= 0;
  $('#lb-more-btn').textContent = `Show ${Math.min(rest, 1000)} more (${rest} not shown)`;
}
