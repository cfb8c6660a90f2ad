/* lstm-sweep dashboard: plain browser JavaScript, no build step. Reads the dashboard's JSON API
   and its server-sent events; charts with Plotly (served by the dashboard itself). */
/* global document, window, location, EventSource, Plotly */
'use strict';

const PARAMS = ['depth', 'width', 'dropout', 'recurrentDropout', 'learningRate', 'batchSize', 'epochs', 'patience', 'head', 'seed'];
const PARAM_LABEL = {
  depth: 'depth',
  width: 'width',
  dropout: 'dropout',
  recurrentDropout: 'recurrent dropout',
  learningRate: 'learning rate',
  batchSize: 'batch size',
  epochs: 'max epochs',
  patience: 'patience',
  head: 'head',
  seed: 'seed',
};
const METRIC_LABEL = {
  valAuc: 'val AUC',
  valAcc: 'val accuracy',
  valLoss: 'val loss',
  testAuc: 'test AUC',
  testAcc: 'test accuracy',
  testLoss: 'test loss',
};
const PALETTE = ['#2f6fde', '#e4572e', '#1f9d63', '#9b5de5', '#f0a202', '#00a6a6', '#d1495b', '#5c6b7a', '#8ac926', '#ff7eb6', '#3d348b', '#bc6c25'];
const MAX_SELECTED = PALETTE.length;
const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d', 'toggleSpikelines'] };
const FONT = { family: 'Inter, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif', size: 12, color: '#1d2330' };

// ---------------------------------------------------------------- helpers

const $ = (sel, root = document) => root.querySelector(sel);
const app = () => $('#app');

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

async function api(path) {
  const res = await fetch(`api/${path}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  let body;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = new Error((body && body.error) || `${res.status} ${res.statusText}`);
    err.status = res.status;
    throw err;
  }
  return body;
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

function fmtMetric(v) {
  return isNum(v) ? v.toFixed(4) : '—';
}

function fmtParam(name, v) {
  if (v === undefined || v === null) return '—';
  if (name === 'learningRate') return fmtLr(v);
  if (name === 'dropout' || name === 'recurrentDropout') return String(Number(v.toFixed(3)));
  return String(v);
}

function fmtLr(v) {
  if (!isNum(v)) return '—';
  if (v >= 0.001) return String(Number(v.toPrecision(3)));
  return v.toExponential(1).replace('e-', 'e-');
}

function fmtDuration(ms) {
  if (!isNum(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function fmtAgo(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, (Date.now() - t) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 10);
}

const metricLabel = (name) => METRIC_LABEL[name] ?? name;
const goalArrow = (metric) => (metric.goal === 'maximize' ? '↑' : '↓');
const shortId = (id) => id.slice(0, 8);

function configLabel(config, swept) {
  if (!config) return '';
  const keys = swept.length > 0 ? swept : ['depth', 'width', 'dropout'];
  const abbrev = { depth: 'd', width: 'w', dropout: 'do', recurrentDropout: 'rd', learningRate: 'lr', batchSize: 'bs', epochs: 'ep', patience: 'p', head: '', seed: 's' };
  return keys.map((k) => `${abbrev[k] ?? k}${fmtParam(k, config[k])}`).join(' · ');
}

function progressBar(counts, cls = '') {
  const total = Math.max(1, counts.total);
  const pct = (n) => `${((100 * n) / total).toFixed(2)}%`;
  const pruned = counts.pruned ?? 0;
  return `<div class="progress ${cls}" title="${counts.completed} completed, ${pruned ? `${pruned} pruned, ` : ''}${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.active} active, ${counts.waiting} waiting">
    <span class="completed" style="width:${pct(counts.completed)}"></span><span class="pruned" style="width:${pct(pruned)}"></span><span class="failed" style="width:${pct(counts.failed)}"></span><span class="cancelled" style="width:${pct(counts.cancelled)}"></span><span class="active" style="width:${pct(counts.active)}"></span>
  </div>`;
}

function setLive(state, text) {
  const el = $('#live');
  if (!el) return;
  el.dataset.state = state;
  el.querySelector('span').textContent = text;
}

function showError(err) {
  app().innerHTML = `<div class="error-box">${esc(err.message || err)}${err.status === 401 ? ' — open this page with <code>?token=…</code> once.' : ''}</div>`;
}

function axis(title, extra = {}) {
  return { title: { text: title, standoff: 6 }, gridcolor: '#eef0f3', zeroline: false, linecolor: '#cfd4da', ticks: 'outside', tickcolor: '#cfd4da', automargin: true, ...extra };
}

function baseLayout(extra = {}) {
  return { font: FONT, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#fff', margin: { l: 56, r: 12, t: 34, b: 46 }, hovermode: 'closest', ...extra };
}

function plot(el, data, layout) {
  if (!el || typeof Plotly === 'undefined') return;
  Plotly.react(el, data, layout, PLOT_CONFIG);
}

// ---------------------------------------------------------------- live events

let source;
let refreshTimer;
let refreshPending = { all: false, types: new Set(), trialIds: new Set() };

function closeEvents() {
  if (source) source.close();
  source = undefined;
  clearTimeout(refreshTimer);
  refreshTimer = undefined;
  refreshPending = { all: false, types: new Set(), trialIds: new Set() };
}

/** Opens the event stream; every batch of events schedules one refresh (at most ~2 per second). */
function openEvents(path, onRefresh) {
  closeEvents();
  setLive('off', 'connecting');
  const es = new EventSource(path);
  source = es;
  const schedule = () => {
    if (refreshTimer) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = undefined;
      const pending = refreshPending;
      refreshPending = { all: false, types: new Set(), trialIds: new Set() };
      try {
        await onRefresh(pending);
      } catch (err) {
        console.warn('refresh failed', err);
      }
    }, 400);
  };
  es.addEventListener('ready', () => {
    if (source !== es) return;
    setLive('on', 'live');
    // Anything that happened while (re)connecting: reload everything once.
    refreshPending.all = true;
    schedule();
  });
  es.addEventListener('trials', (msg) => {
    if (source !== es) return;
    const data = JSON.parse(msg.data);
    if (data.truncated) refreshPending.all = true;
    for (const e of data.events) {
      refreshPending.types.add(e.type);
      refreshPending.trialIds.add(e.trialId);
    }
    schedule();
  });
  es.onerror = () => {
    if (source === es) setLive('error', 'reconnecting');
  };
}

// ---------------------------------------------------------------- overview

async function renderOverview(seq) {
  document.title = 'Sweeps · lstm-sweep';
  const draw = async () => {
    const sweeps = await api('sweeps');
    if (seq !== routeSeq) return;
    if (sweeps.length === 0) {
      app().innerHTML = `<div class="page-head"><div><h1>Sweeps</h1></div></div>
        <div class="panel"><div class="empty">No sweeps under this prefix yet. Start one with <code>lstm-sweep enqueue spec.yaml</code>.</div></div>`;
      return;
    }
    const rows = sweeps
      .map((s) => {
        const c = s.counts;
        const done = c.completed + (c.pruned ?? 0) + c.failed + c.cancelled;
        const state =
          done >= c.total && c.total > 0
            ? c.failed > 0
              ? '<span class="badge fail">done, with failures</span>'
              : '<span class="badge ok">done</span>'
            : c.active > 0
              ? '<span class="badge">running</span>'
              : '<span class="badge warn">queued</span>';
        return `<tr data-sweep-id="${esc(s.sweepId)}">
          <td><a href="#/sweeps/${encodeURIComponent(s.sweepId)}"><b>${esc(s.name)}</b></a><div class="mono muted">${esc(s.sweepId)}</div></td>
          <td>${state}${s.dryRun ? ' <span class="badge warn">dry run</span>' : ''}</td>
          <td style="min-width:200px">${progressBar(c)}<div class="muted" style="font-size:12px;margin-top:4px">${done} / ${c.total} done</div></td>
          <td class="num">${c.total}</td><td class="num">${c.waiting}</td><td class="num">${c.active}</td>
          <td class="num">${c.completed}</td><td class="num">${c.failed}</td><td class="num">${c.cancelled}</td>
          <td>${esc(metricLabel(s.metric.name))} ${goalArrow(s.metric)}</td>
          <td class="num metric">${s.best ? fmtMetric(s.best.value) : '—'}</td>
          <td>${esc(s.method)}</td>
          <td class="muted" title="${esc(s.createdAt)}">${esc(fmtAgo(s.createdAt))}</td>
        </tr>`;
      })
      .join('');
    app().innerHTML = `<div class="page-head"><div><h1>Sweeps</h1><div class="meta"><span>${sweeps.length} sweep${sweeps.length === 1 ? '' : 's'}, newest first</span></div></div></div>
      <div class="panel"><div class="panel-body flush"><div class="table-wrap" style="max-height:none">
        <table id="sweeps" class="clickable"><thead><tr>
          <th>sweep</th><th>state</th><th>progress</th><th class="num">total</th><th class="num">waiting</th><th class="num">active</th>
          <th class="num">completed</th><th class="num">failed</th><th class="num">cancelled</th><th>metric</th><th class="num">best</th><th>method</th><th>created</th>
        </tr></thead><tbody>${rows}</tbody></table></div></div></div>`;
    app()
      .querySelectorAll('#sweeps tbody tr')
      .forEach((tr) =>
        tr.addEventListener('click', (ev) => {
          if (ev.target.closest('a')) return;
          location.hash = `#/sweeps/${encodeURIComponent(tr.dataset.sweepId)}`;
        }),
      );
  };
  await draw();
  if (seq === routeSeq) openEvents('api/events', () => draw());
}

// ---------------------------------------------------------------- one sweep

const COLUMNS = [
  { key: 'rank', label: '#', num: true, get: (r) => r.rank },
  { key: 'trialId', label: 'trial', get: (r) => r.trialId, fmt: (r) => `<span class="mono" title="${esc(r.trialId)}">${esc(shortId(r.trialId))}</span>` },
  ...['depth', 'width', 'dropout', 'recurrentDropout', 'learningRate', 'batchSize', 'head', 'seed'].map((p) => ({
    key: p,
    label: { recurrentDropout: 'rec. dropout', learningRate: 'lr', batchSize: 'batch' }[p] ?? p,
    num: p !== 'head',
    param: true,
    get: (r) => r.config[p],
    fmt: (r) => esc(fmtParam(p, r.config[p])),
  })),
];

function tableColumns(sweep) {
  const metric = sweep.metric.name;
  const cols = [...COLUMNS];
  cols.push({
    key: 'metric',
    label: `${metricLabel(metric)} ${goalArrow(sweep.metric)}`,
    num: true,
    cls: 'metric',
    get: (r) => r.metrics[metric],
    fmt: (r) => fmtMetric(r.metrics[metric]),
  });
  if (sweep.hasTest) {
    for (const m of ['testAuc', 'testAcc']) {
      if (m !== metric) cols.push({ key: m, label: metricLabel(m), num: true, get: (r) => r.metrics[m], fmt: (r) => fmtMetric(r.metrics[m]) });
    }
  }
  cols.push(
    {
      key: 'epochs',
      label: 'epochs',
      num: true,
      get: (r) => r.epochs,
      fmt: (r) => (r.prunedAt !== undefined ? `<span class="badge warn" title="stopped early by ASHA at epoch ${esc(r.prunedAt)}">pruned</span> ${esc(r.epochs)}` : esc(r.epochs)),
    },
    { key: 'durationMs', label: 'time', num: true, get: (r) => r.durationMs, fmt: (r) => fmtDuration(r.durationMs) },
    { key: 'backend', label: 'engine', get: (r) => (r.engine ? `${r.engine}/${r.backend}` : r.backend) },
    { key: 'worker', label: 'worker', get: (r) => r.worker, fmt: (r) => `<span class="mono">${esc(r.worker)}</span>` },
    { key: 'attempts', label: 'attempts', num: true, get: (r) => r.attempts },
  );
  return cols;
}

function compare(a, b) {
  const na = a === undefined || a === null || (typeof a === 'number' && !Number.isFinite(a));
  const nb = b === undefined || b === null || (typeof b === 'number' && !Number.isFinite(b));
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

async function renderSweep(sweepId, seq) {
  const state = {
    sweepId,
    sweep: undefined,
    rows: [],
    failures: [],
    active: [],
    curves: [],
    selected: new Set(),
    selectionTouched: false,
    sort: { key: 'rank', dir: 1 },
    effectsKey: '',
  };
  const enc = encodeURIComponent(sweepId);

  state.sweep = await api(`sweeps/${enc}`);
  if (seq !== routeSeq) return;
  document.title = `${state.sweep.name} · lstm-sweep`;
  app().innerHTML = sweepSkeleton(state.sweep);
  $('#leaderboard thead').addEventListener('click', (ev) => {
    const th = ev.target.closest('th[data-key]');
    if (!th) return;
    const key = th.dataset.key;
    state.sort = state.sort.key === key ? { key, dir: -state.sort.dir } : { key, dir: key === 'metric' && state.sweep.metric.goal === 'maximize' ? -1 : 1 };
    drawTable(state);
  });
  $('#leaderboard tbody').addEventListener('change', (ev) => toggleSelect(state, ev));
  $('#active-table').addEventListener('change', (ev) => toggleSelect(state, ev));
  $('#select-best').addEventListener('click', () => {
    state.selectionTouched = false;
    state.selected = defaultSelection(state);
    drawTable(state);
    drawActive(state);
    void loadCurves(state);
  });
  $('#select-none').addEventListener('click', () => {
    state.selectionTouched = true;
    state.selected = new Set();
    drawTable(state);
    drawActive(state);
    void loadCurves(state);
  });

  const loadAll = async () => {
    const [sweep, rows, failures, active] = await Promise.all([
      api(`sweeps/${enc}`),
      api(`sweeps/${enc}/leaderboard`),
      api(`sweeps/${enc}/failures`),
      api(`sweeps/${enc}/active`),
    ]);
    if (seq !== routeSeq) return;
    Object.assign(state, { sweep, rows, failures, active });
    if (!state.selectionTouched) state.selected = defaultSelection(state);
    drawSummary(state);
    drawTable(state);
    drawActive(state);
    drawFailures(state);
    drawEffects(state);
    await loadCurves(state);
  };
  await loadAll();
  if (seq !== routeSeq) return;
  openEvents(`api/sweeps/${enc}/events`, async (pending) => {
    const types = pending.types;
    if (pending.all || types.has('completed') || types.has('failed') || types.has('cancelled')) {
      await loadAll();
      return;
    }
    const [sweep, active] = await Promise.all([api(`sweeps/${enc}`), api(`sweeps/${enc}/active`)]);
    if (seq !== routeSeq) return;
    Object.assign(state, { sweep, active });
    drawSummary(state);
    drawActive(state);
    if ([...pending.trialIds].some((id) => state.selected.has(id))) await loadCurves(state);
  });
}

function defaultSelection(state) {
  return new Set(state.rows.slice(0, 3).map((r) => r.trialId));
}

function toggleSelect(state, ev) {
  const box = ev.target.closest('input[data-trial]');
  if (!box) return;
  state.selectionTouched = true;
  if (box.checked) {
    if (state.selected.size >= MAX_SELECTED) {
      box.checked = false;
      return;
    }
    state.selected.add(box.dataset.trial);
  } else {
    state.selected.delete(box.dataset.trial);
  }
  drawTable(state);
  drawActive(state);
  void loadCurves(state);
}

function colorOf(state, trialId) {
  const ids = [...state.selected];
  const i = ids.indexOf(trialId);
  return i < 0 ? undefined : PALETTE[i % PALETTE.length];
}

function sweepSkeleton(s) {
  const shape = s.shape ? `${s.shape.trainSamples} train series · ${s.shape.timesteps} steps × ${s.shape.features} feature${s.shape.features === 1 ? '' : 's'}` : '';
  return `<div class="crumbs"><a href="#/">Sweeps</a> / ${esc(s.name)}</div>
    <div class="page-head"><div>
      <h1 id="sweep-title">${esc(s.sweepId)}${s.dryRun ? ' <span class="badge warn">dry run</span>' : ''}</h1>
      <div class="meta">
        <span>${esc(s.method)} search</span>
        <span>metric: <b>${esc(metricLabel(s.metric.name))}</b> (${esc(s.metric.goal)})</span>
        <span>${esc(shape)}</span>
        <span>swept: ${s.swept.length ? s.swept.map((p) => esc(PARAM_LABEL[p] ?? p)).join(', ') : 'nothing'}</span>
        <span title="${esc(s.createdAt)}">created ${esc(fmtAgo(s.createdAt))}</span>
      </div>
    </div></div>
    <div class="stats" id="stats"></div>
    <div id="progress"></div>
    <section class="panel" id="active-panel" hidden>
      <div class="panel-head"><h2>In training</h2><span class="hint">live: per-epoch metrics as workers report them</span></div>
      <div class="panel-body flush"><div class="table-wrap"><table id="active-table"><thead><tr>
        <th></th><th>trial</th><th>config</th><th class="num">epoch</th><th class="num">loss</th><th class="num">val loss</th><th class="num">val AUC</th><th>worker</th><th class="num">attempt</th><th>started</th>
      </tr></thead><tbody></tbody></table></div></div>
    </section>
    <section class="panel">
      <div class="panel-head"><h2>Leaderboard</h2><span class="hint" id="lb-hint"></span><span class="spacer"></span>
        <button class="btn" id="select-best" type="button">Select best 3</button><button class="btn" id="select-none" type="button">Clear selection</button></div>
      <div class="panel-body flush"><div class="table-wrap"><table id="leaderboard"><thead></thead><tbody></tbody></table></div><div id="lb-empty"></div></div>
    </section>
    <section class="panel">
      <div class="panel-head"><h2>Learning curves</h2><span class="hint">trials selected in the table (default: the best 3); dashed = still training</span></div>
      <div class="panel-body"><div class="curves" id="curves">
        <div class="chart" id="curve-loss"></div><div class="chart" id="curve-valLoss"></div><div class="chart" id="curve-valAuc"></div>
      </div><div class="note" id="curves-note"></div></div>
    </section>
    <section class="panel" id="effects-panel">
      <div class="panel-head"><h2>Hyperparameter effects</h2><span class="hint">each line / point is a finished trial, coloured by ${esc(metricLabel(s.metric.name))}; drag on an axis to filter</span></div>
      <div class="panel-body"><div class="chart" id="parcoords" style="min-height:340px"></div>
        <div class="scatter-grid" id="scatter"></div><div class="note" id="effects-note"></div></div>
    </section>
    <section class="panel" id="failures-panel" hidden>
      <div class="panel-head"><h2>Failed trials</h2><span class="hint">deterministic failures are not retried; re-queue with <code>lstm-sweep enqueue --resume</code> or retry in the <a href="queues" target="_blank" rel="noopener">queue</a></span></div>
      <div class="panel-body flush"><div class="table-wrap"><table id="failures"><thead><tr>
        <th>trial</th><th>config</th><th class="num">attempts</th><th>worker</th><th>failed</th><th>reason</th>
      </tr></thead><tbody></tbody></table></div></div>
    </section>`;
}

function drawSummary(state) {
  const s = state.sweep;
  const c = s.counts;
  const stat = (key, label) => `<div class="stat ${key}"><div class="label">${label}</div><div class="value" id="stat-${key}">${c[key]}</div></div>`;
  const best = s.best;
  $('#stats').innerHTML = [
    stat('total', 'Trials'),
    stat('waiting', 'Waiting'),
    stat('active', 'Active'),
    stat('completed', 'Completed'),
    stat('failed', 'Failed'),
    stat('cancelled', 'Cancelled'),
    ...((c.pruned ?? 0) > 0 ? [stat('pruned', 'Pruned')] : []),
    `<div class="stat best"><div class="label">Best ${esc(metricLabel(s.metric.name))} ${goalArrow(s.metric)}</div>
      <div class="value" id="stat-best">${best ? fmtMetric(best.value) : '—'}</div>
      <div class="sub">${best ? `<span class="mono">${esc(shortId(best.trialId))}</span> · ${esc(configLabel(best.config, s.swept))}` : 'no finished trial yet'}</div></div>`,
  ].join('');
  $('#progress').innerHTML = progressBar(c, 'big');
}

function drawTable(state) {
  const cols = tableColumns(state.sweep);
  const { key, dir } = state.sort;
  const col = cols.find((c) => c.key === key) ?? cols[0];
  const rows = [...state.rows].sort((a, b) => dir * compare(col.get(a), col.get(b)) || a.rank - b.rank);
  const metric = state.sweep.metric.name;
  const values = state.rows.map((r) => r.metrics[metric]).filter(isNum);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const bar = (v) => {
    if (!isNum(v) || !(hi > lo)) return '';
    const f = (v - lo) / (hi - lo);
    return `<i style="width:${(100 * (state.sweep.metric.goal === 'maximize' ? f : 1 - f)).toFixed(1)}%"></i>`;
  };

  $('#leaderboard thead').innerHTML = `<tr><th></th>${cols
    .map(
      (c) =>
        `<th class="sortable ${c.num ? 'num' : ''}" data-key="${c.key}" title="sort by ${esc(c.label)}">${c.key === key ? `<span class="arrow">${dir > 0 ? '▲' : '▼'}</span>` : ''}${esc(c.label)}</th>`,
    )
    .join('')}</tr>`;
  $('#leaderboard tbody').innerHTML = rows
    .map((r) => {
      const sel = state.selected.has(r.trialId);
      const color = colorOf(state, r.trialId);
      const cells = cols
        .map((c) => {
          const content = c.fmt ? c.fmt(r) : esc(c.get(r));
          const inner = c.key === 'metric' ? `<span class="metricbar">${content}${bar(r.metrics[metric])}</span>` : content;
          return `<td class="${c.num ? 'num' : ''} ${c.cls ?? ''}">${inner}</td>`;
        })
        .join('');
      return `<tr data-trial-id="${esc(r.trialId)}" class="${sel ? 'selected' : ''} ${r.rank === 1 ? 'best' : ''}">
        <td><input type="checkbox" data-trial="${esc(r.trialId)}" ${sel ? 'checked' : ''} aria-label="show curves of ${esc(shortId(r.trialId))}" />${color ? `<span class="swatch" style="background:${color}"></span>` : ''}</td>${cells}</tr>`;
    })
    .join('');
  $('#lb-empty').innerHTML = rows.length === 0 ? '<div class="empty">No finished trials yet — results appear here as workers complete them.</div>' : '';
  const c = state.sweep.counts;
  $('#lb-hint').textContent = `${state.rows.length} finished of ${c.total} · click a header to sort · tick rows to plot their curves`;
}

function drawActive(state) {
  const panel = $('#active-panel');
  panel.hidden = state.active.length === 0;
  const swept = state.sweep.swept;
  $('#active-table tbody').innerHTML = state.active
    .sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)))
    .map((a) => {
      const sel = state.selected.has(a.trialId);
      const color = colorOf(state, a.trialId);
      const last = a.last ?? {};
      const epochs = a.config ? a.config.epochs : undefined;
      return `<tr data-trial-id="${esc(a.trialId)}" class="${sel ? 'selected' : ''}">
        <td><input type="checkbox" data-trial="${esc(a.trialId)}" ${sel ? 'checked' : ''} aria-label="show curves" />${color ? `<span class="swatch" style="background:${color}"></span>` : ''}</td>
        <td><span class="mono" title="${esc(a.trialId)}">${esc(shortId(a.trialId))}</span></td>
        <td>${esc(configLabel(a.config, swept))}</td>
        <td class="num">${a.epoch}${epochs ? ` / ${epochs}` : ''}</td>
        <td class="num">${fmtMetric(last.loss)}</td><td class="num">${fmtMetric(last.valLoss)}</td><td class="num">${fmtMetric(last.valAuc)}</td>
        <td class="mono">${esc(a.worker)}</td><td class="num">${esc(a.attempt)}</td><td class="muted">${esc(fmtAgo(a.startedAt))}</td></tr>`;
    })
    .join('');
}

function drawFailures(state) {
  $('#failures-panel').hidden = state.failures.length === 0;
  $('#failures tbody').innerHTML = state.failures
    .map(
      (f) => `<tr data-trial-id="${esc(f.trialId)}"><td><span class="mono" title="${esc(f.trialId)}">${esc(shortId(f.trialId))}</span></td>
      <td>${esc(configLabel(f.config, state.sweep.swept))}</td><td class="num">${esc(f.attempts)}</td><td class="mono">${esc(f.worker ?? '—')}</td>
      <td class="muted" title="${esc(f.failedAt)}">${esc(fmtAgo(f.failedAt))}</td><td class="reason">${esc(f.reason)}</td></tr>`,
    )
    .join('');
}

let curvesSeq = 0;
async function loadCurves(state) {
  const ids = [...state.selected];
  const seq = ++curvesSeq;
  const curves = ids.length ? await api(`sweeps/${encodeURIComponent(state.sweepId)}/curves?${new URLSearchParams({ trials: ids.join(',') })}`) : [];
  if (seq !== curvesSeq || !document.getElementById('curve-loss')) return;
  state.curves = curves;
  drawCurves(state);
}

function drawCurves(state) {
  const rankOf = new Map(state.rows.map((r) => [r.trialId, r.rank]));
  const panels = [
    { id: 'curve-loss', key: 'loss', title: 'Training loss', y: 'loss (binary cross-entropy)' },
    { id: 'curve-valLoss', key: 'valLoss', title: 'Validation loss', y: 'val loss' },
    { id: 'curve-valAuc', key: 'valAuc', title: 'Validation AUC', y: 'val ROC AUC' },
  ];
  const swept = state.sweep.swept;
  for (const p of panels) {
    const traces = state.curves.map((c) => {
      const rank = rankOf.get(c.trialId);
      const color = colorOf(state, c.trialId);
      const label = `${rank ? `#${rank} ` : ''}${shortId(c.trialId)}${c.status === 'training' ? ' (training)' : ''}`;
      return {
        type: 'scatter',
        mode: c.history.length > 1 ? 'lines' : 'lines+markers',
        name: label,
        legendgroup: c.trialId,
        showlegend: p.key === 'valAuc',
        x: c.history.map((h) => h.epoch),
        y: c.history.map((h) => (isNum(h[p.key]) ? h[p.key] : null)),
        line: { color, width: 2, dash: c.status === 'training' ? 'dash' : 'solid' },
        marker: { color, size: 5 },
        hovertemplate: `<b>${label}</b><br>${configLabel(c.config, swept)}<br>epoch %{x}<br>${p.y}: %{y:.4f}<extra></extra>`,
      };
    });
    plot(
      $(`#${p.id}`),
      traces,
      baseLayout({
        title: { text: p.title, font: { size: 13 }, x: 0.02, xanchor: 'left' },
        xaxis: axis('epoch', { rangemode: 'tozero', dtick: undefined }),
        yaxis: axis(p.y),
        legend: { orientation: 'h', y: -0.28, font: { size: 11 } },
        margin: { l: 56, r: 12, t: 34, b: p.key === 'valAuc' ? 70 : 46 },
      }),
    );
  }
  const missing = state.selected.size - state.curves.length;
  $('#curves-note').textContent =
    state.selected.size === 0 ? 'Select trials in the table to plot their learning curves.' : missing > 0 ? `${missing} selected trial(s) have no history yet.` : '';
}

function hasWebGL() {
  try {
    const canvas = document.createElement('canvas');
    return Boolean(canvas.getContext('webgl') || canvas.getContext('experimental-webgl'));
  } catch {
    return false;
  }
}

/** Hyperparameters worth plotting: the swept ones, plus any that vary among the results. */
function effectParams(state) {
  const rows = state.rows;
  const varying = PARAMS.filter((p) => new Set(rows.map((r) => r.config[p])).size > 1);
  const list = PARAMS.filter((p) => state.sweep.swept.includes(p) || varying.includes(p));
  return list.length ? list : ['depth', 'width', 'dropout', 'recurrentDropout', 'learningRate'];
}

function jitter(trialId, spread) {
  return ((parseInt(trialId.slice(8, 12), 16) / 0xffff) - 0.5) * spread;
}

function drawEffects(state) {
  const metric = state.sweep.metric;
  const rows = state.rows.filter((r) => isNum(r.metrics[metric.name]));
  const params = effectParams(state);
  const key = JSON.stringify([rows.map((r) => r.trialId), params]);
  if (key === state.effectsKey) return;
  state.effectsKey = key;
  const note = $('#effects-note');
  if (rows.length < 2) {
    $('#parcoords').innerHTML = '<div class="empty">Hyperparameter effects appear once two trials have finished.</div>';
    $('#scatter').innerHTML = '';
    note.textContent = '';
    return;
  }
  const mvals = rows.map((r) => r.metrics[metric.name]);
  const colorscale = 'Viridis';
  const reverse = metric.goal === 'minimize';

  // Parallel coordinates (WebGL).
  const pc = $('#parcoords');
  if (hasWebGL()) {
    if (pc.querySelector('.empty')) pc.innerHTML = '';
    const dims = params.map((p) => {
      const vals = rows.map((r) => r.config[p]);
      if (p === 'head') {
        const cats = [...new Set(vals)].sort();
        return { label: PARAM_LABEL[p], values: vals.map((v) => cats.indexOf(v)), tickvals: cats.map((_, i) => i), ticktext: cats };
      }
      if (p === 'learningRate') {
        const logs = vals.map((v) => Math.log10(v));
        const ticks = [...new Set(vals)].sort((a, b) => a - b);
        const tickvals = ticks.length <= 8 ? ticks.map((v) => Math.log10(v)) : undefined;
        return { label: 'learning rate (log)', values: logs, tickvals, ticktext: tickvals ? ticks.map(fmtLr) : undefined };
      }
      const uniq = [...new Set(vals)].sort((a, b) => a - b);
      return { label: PARAM_LABEL[p] ?? p, values: vals, tickvals: uniq.length <= 8 ? uniq : undefined, tickformat: Number.isInteger(uniq[0]) && Number.isInteger(uniq.at(-1)) ? 'd' : '.3~f' };
    });
    dims.push({ label: `${metricLabel(metric.name)} ${goalArrow(metric)}`, values: mvals, tickformat: '.3f' });
    plot(
      pc,
      [
        {
          type: 'parcoords',
          line: {
            color: mvals,
            cmin: Math.min(...mvals),
            cmax: Math.max(...mvals),
            colorscale,
            reversescale: reverse,
            showscale: true,
            colorbar: { title: { text: metricLabel(metric.name) }, thickness: 12 },
          },
          dimensions: dims,
          labelfont: { size: 12 },
          tickfont: { size: 11 },
        },
      ],
      baseLayout({ margin: { l: 60, r: 60, t: 48, b: 24 }, height: 340 }),
    );
    note.textContent = '';
  } else {
    pc.innerHTML = '<div class="empty">The parallel-coordinates view needs WebGL, which this browser does not offer.</div>';
  }

  // One scatter per hyperparameter: metric against its values, mean per value as a line.
  const grid = $('#scatter');
  const ids = params.map((p) => `scatter-${p}`);
  if (grid.dataset.params !== ids.join(',')) {
    grid.innerHTML = ids.map((id) => `<div class="chart" id="${id}"></div>`).join('');
    grid.dataset.params = ids.join(',');
  }
  const bestId = state.rows[0] ? state.rows[0].trialId : undefined;
  for (const p of params) {
    const vals = rows.map((r) => r.config[p]);
    const categorical = p === 'head';
    const uniq = [...new Set(vals)].sort((a, b) => (categorical ? String(a).localeCompare(String(b)) : a - b));
    const logX = p === 'learningRate' && Math.max(...vals) / Math.min(...vals) >= 10;
    const discrete = uniq.length <= 12;
    // Small horizontal jitter so trials with the same value do not hide each other.
    const xs = rows.map((r, i) => {
      const v = vals[i];
      if (categorical) return uniq.indexOf(v) + jitter(r.trialId, 0.25);
      if (!discrete) return v;
      if (logX) return v * Math.pow(10, jitter(r.trialId, 0.08));
      const step = uniq.length > 1 ? Math.min(...uniq.slice(1).map((u, j) => u - uniq[j])) : 1;
      return v + jitter(r.trialId, step * 0.18 || 0.1);
    });
    const text = rows.map((r) => `${shortId(r.trialId)} · #${r.rank}<br>${configLabel(r.config, state.sweep.swept)}`);
    const traces = [
      {
        type: 'scatter',
        mode: 'markers',
        x: xs,
        y: mvals,
        text,
        name: 'trials',
        marker: { size: 8, color: mvals, colorscale, reversescale: reverse, line: { width: 0.5, color: '#fff' }, opacity: 0.9 },
        hovertemplate: `%{text}<br>${metricLabel(metric.name)}: %{y:.4f}<extra></extra>`,
      },
    ];
    if (discrete && uniq.length > 1) {
      const means = uniq.map((u) => {
        const ys = rows.filter((_, i) => vals[i] === u).map((r) => r.metrics[metric.name]);
        return ys.reduce((a, b) => a + b, 0) / ys.length;
      });
      traces.unshift({
        type: 'scatter',
        mode: 'lines+markers',
        x: categorical ? uniq.map((_, i) => i) : uniq,
        y: means,
        name: 'mean',
        line: { color: '#9aa3af', width: 1.5, dash: 'dot' },
        marker: { color: '#667085', size: 6, symbol: 'line-ew-open' },
        hovertemplate: `mean ${metricLabel(metric.name)}: %{y:.4f}<extra></extra>`,
      });
    }
    const bestIdx = rows.findIndex((r) => r.trialId === bestId);
    if (bestIdx >= 0) {
      traces.push({
        type: 'scatter',
        mode: 'markers',
        x: [xs[bestIdx]],
        y: [mvals[bestIdx]],
        name: 'best',
        marker: { symbol: 'star', size: 15, color: '#f0a202', line: { width: 1, color: '#8a5a00' } },
        hovertemplate: `best: ${shortId(bestId)}<br>${metricLabel(metric.name)}: %{y:.4f}<extra></extra>`,
      });
    }
    const xaxis = categorical
      ? axis(PARAM_LABEL[p], { tickvals: uniq.map((_, i) => i), ticktext: uniq, range: [-0.5, uniq.length - 0.5] })
      : axis(PARAM_LABEL[p] ?? p, logX ? { type: 'log', tickvals: discrete ? uniq : undefined, ticktext: discrete ? uniq.map(fmtLr) : undefined } : discrete ? { tickvals: uniq } : {});
    plot(
      $(`#scatter-${p}`),
      traces,
      baseLayout({
        title: { text: `${metricLabel(metric.name)} vs ${PARAM_LABEL[p] ?? p}`, font: { size: 13 }, x: 0.03, xanchor: 'left' },
        xaxis,
        yaxis: axis(metricLabel(metric.name)),
        showlegend: false,
        height: 250,
        margin: { l: 56, r: 12, t: 34, b: 44 },
      }),
    );
  }
}

// ---------------------------------------------------------------- router

let routeSeq = 0;

async function route() {
  const seq = ++routeSeq;
  closeEvents();
  const hash = location.hash || '#/';
  const m = hash.match(/^#\/sweeps\/([^/?#]+)/);
  document.querySelectorAll('.topbar nav a').forEach((a) => a.classList.remove('current'));
  try {
    if (m) {
      await renderSweep(decodeURIComponent(m[1]), seq);
    } else {
      $('#nav-sweeps').classList.add('current');
      await renderOverview(seq);
    }
  } catch (err) {
    if (seq !== routeSeq) return;
    setLive('error', 'offline');
    showError(err);
  }
}

window.addEventListener('hashchange', () => void route());
void route();
