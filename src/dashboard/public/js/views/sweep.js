/* #/sweeps/<id> : one sweep. Owns the page's state and its refreshes; the panels draw from it
   (leaderboard.js, trials.js, charts/*). */
import { PAGE, api, loadPages, openEvents, sweepPath } from '../api.js';
import { $, app, progressBar, setLive, toggleTrial } from '../dom.js';
import { configLabel, esc, fmtAgo, fmtMetric, fmtParam, fmtSpecValues, metricTitle, shortId } from '../format.js';
import { distinctValues, fixedParameters, parameterValue, sweepMetric, varyingParameters } from '../vocabulary.js';
import { loadCurves } from '../charts/curves.js';
import { drawEffects } from '../charts/effects.js';
import { PALETTE } from '../charts/plot.js';
import { importanceSection, loadImportance } from './importance.js';
import { bindLeaderboard, drawTable } from './leaderboard.js';
import { drawActive, drawFailures, trialsSkeleton } from './trials.js';
import { baselineStat } from './baseline-ref.js';
import { loadConfigs, toggleConfig } from './config-table.js';
import { bindCompare, compareSkeleton, drawCompare } from './paired-comparison.js';

const MAX_SELECTED = PALETTE.length;
/** The best `count` rows of the leaderboard (at least one page), and how many there are. */
async function loadRows(sweepId, count) {
  const { rows, total } = await loadPages(sweepId, '/leaderboard', count);
  return { rows, ranked: total };
}

/** Parameters that vary: the spec's swept ones and any that differ among the trials on the page. */
function updateVarying(state) {
  const configs = [...state.rows, ...state.active, ...state.failures].map((t) => t.config);
  state.varying = varyingParameters(state.vocab, state.sweep.swept, configs);
}

function skeleton(s, vocab) {
  const shape = s.shape
    ? `${s.shape.trainSamples} train series · ${s.shape.timesteps} steps × ${s.shape.features} feature${s.shape.features === 1 ? '' : 's'}`
    : '';
  const metric = vocab.metric(s.metric.name);
  return `<div class="crumbs"><a href="#/">Sweeps</a> / ${esc(s.name)}</div>
    <div class="page-head"><div>
      <h1 id="sweep-title">${esc(s.sweepId)}${s.dryRun ? ' <span class="badge warn">dry run</span>' : ''}</h1>
      <div class="meta">
        <span>${esc(s.method)} search</span>
        <span>metric: <b>${esc(metric.label)}</b> (${esc(s.metric.goal)})</span>
        <span>${esc(shape)}</span>
        <span title="${esc(s.createdAt)}">created ${esc(fmtAgo(s.createdAt))}</span>
      </div>
      <div class="meta params" id="sweep-params"></div>
    </div></div>
    <div class="stats" id="stats"></div>
    <div id="progress"></div>
    ${trialsSkeleton('active', vocab)}
    <section class="panel">
      <div class="panel-head"><h2>Leaderboard</h2><span class="hint" id="lb-hint"></span><span class="spacer"></span>
        <label class="toggle" title="one row per configuration: mean ± sd over its seeds"><input type="checkbox" id="by-config" /> by configuration</label>
        <label class="toggle"><input type="checkbox" id="all-params" /> all parameters</label>
        <button class="btn" id="select-best" type="button">Select best 3</button><button class="btn" id="select-none" type="button">Clear selection</button></div>
      <div class="panel-body flush"><div class="table-wrap"><table id="leaderboard"><thead></thead><tbody></tbody></table></div><div id="lb-empty"></div>
        <div class="lb-more" id="lb-more" hidden><button class="btn" id="lb-more-btn" type="button"></button></div></div>
    </section>
    <section class="panel">
      <div class="panel-head"><h2>Learning curves</h2><span class="hint">trials selected in the table (default: the best 3); dashed = still training</span></div>
      <div class="panel-body"><div class="curves" id="curves">
        <div class="chart" id="curve-loss"></div><div class="chart" id="curve-valLoss"></div><div class="chart" id="curve-valAuc"></div>
      </div><div class="note" id="curves-note"></div></div>
    </section>
    <section class="panel" id="effects-panel">
      <div class="panel-head"><h2>Hyperparameter effects</h2><span class="hint">each line / point is a finished trial, coloured by ${esc(metric.label)}; drag on an axis to filter</span></div>
      <div class="panel-body"><div class="chart" id="parcoords" style="min-height:340px"></div>
        <div class="scatter-grid" id="scatter"></div><div class="note" id="effects-note"></div></div>
    </section>
    ${importanceSection()}
    ${compareSkeleton()}
    ${trialsSkeleton('failures', vocab)}`;
}

/** "swept: depth 1, 2, 3 · width 4, 8" and "fixed: epochs 3 · head dense ...", labels from the vocabulary. */
function drawParams(state) {
  const s = state.sweep;
  const configs = state.rows.map((r) => r.config);
  const swept = state.varying.map((p) => {
    const listed = p.name === 'seed' ? s.seeds : s.parameters?.[p.name];
    const values = listed ?? distinctValues(configs.map((c) => parameterValue(c, p)));
    return `<span class="param" data-param="${esc(p.name)}" title="${esc(p.description)}"><b>${esc(p.label)}</b> ${esc(fmtSpecValues(p, values))}</span>`;
  });
  const fixed = fixedParameters(state.vocab, state.varying, configs, s).map(
    ({ param, value }) => `<span class="param" title="${esc(param.description)}">${esc(param.label)} ${esc(fmtParam(param, value))}</span>`,
  );
  $('#sweep-params').innerHTML =
    `<span>swept: ${swept.length ? swept.join(' · ') : 'nothing'}</span><span class="fixed">fixed: ${fixed.join(' · ')}</span>`;
}

function drawSummary(state) {
  const s = state.sweep;
  const c = s.counts;
  const stat = (key, label) =>
    `<div class="stat ${key}"><div class="label">${label}</div><div class="value" id="stat-${key}">${c[key]}</div></div>`;
  const best = s.best;
  $('#stats').innerHTML = [
    stat('total', 'Trials'),
    stat('waiting', 'Waiting'),
    stat('active', 'Active'),
    stat('completed', 'Completed'),
    stat('failed', 'Failed'),
    stat('cancelled', 'Cancelled'),
    ...((c.pruned ?? 0) > 0 ? [stat('pruned', 'Pruned')] : []),
    `<div class="stat best"><div class="label">Best ${esc(metricTitle(sweepMetric(state.vocab, s.metric)))}</div>
      <div class="value" id="stat-best">${best ? fmtMetric(best.value) : '—'}</div>
      <div class="sub">${best ? `<span class="mono">${esc(shortId(best.trialId))}</span> · ${esc(configLabel(best.config, state.varying))}` : 'no finished trial yet'}</div></div>`,
    baselineStat(state),
  ].join('');
  $('#progress').innerHTML = progressBar(c, 'big');
  drawParams(state);
}

const defaultSelection = (state) => new Set(state.rows.slice(0, 3).map((r) => r.trialId));

export async function renderSweep(sweepId, view, vocab) {
  const state = {
    sweepId,
    vocab,
    sweep: undefined,
    rows: [],
    /** finished trials in the ranking; `rows` holds the best of them, a page at a time */
    ranked: 0,
    failures: [],
    active: [],
    curves: [],
    varying: [],
    selected: new Set(),
    selectionTouched: false,
    allParams: false,
    /** the table by configuration (seed groups, /configs): on by default when the sweep has several seeds */
    byConfig: false,
    configs: [],
    configTotal: 0,
    sort: { key: 'rank', dir: 1 },
    effectsKey: '',
  };
  state.sweep = await api(sweepPath(sweepId));
  if (!view.isCurrent()) return;
  document.title = `${state.sweep.name} · lstm-sweep`;
  app().innerHTML = skeleton(state.sweep, vocab);
  state.byConfig = state.sweep.seeds.length > 1;
  $('#by-config').checked = state.byConfig;
  updateVarying(state);

  const redrawSelection = () => {
    drawTable(state);
    drawActive(state);
    void loadCurves(state);
  };
  bindLeaderboard(state);
  bindCompare(state);
  const onToggle = (ev) => {
    if (!(toggleTrial(state.selected, ev, MAX_SELECTED) || toggleConfig(state.selected, ev, MAX_SELECTED))) return;
    state.selectionTouched = true;
    redrawSelection();
  };
  $('#leaderboard tbody').addEventListener('change', onToggle);
  $('#active-table').addEventListener('change', onToggle);
  $('#select-best').addEventListener('click', () => {
    state.selectionTouched = false;
    state.selected = defaultSelection(state);
    redrawSelection();
  });
  $('#select-none').addEventListener('click', () => {
    state.selectionTouched = true;
    state.selected = new Set();
    redrawSelection();
  });
  $('#all-params').addEventListener('change', (ev) => {
    state.allParams = ev.target.checked;
    drawTable(state);
  });

  $('#by-config').addEventListener('change', async (ev) => {
    state.byConfig = ev.target.checked;
    if (state.byConfig) Object.assign(state, await loadConfigs(sweepId, state.configs.length));
    if (view.isCurrent()) drawTable(state);
  });

  $('#lb-more-btn').addEventListener('click', async () => {
    if (state.byConfig) {
      Object.assign(state, await loadConfigs(sweepId, state.configs.length + PAGE));
      if (view.isCurrent()) drawTable(state);
      return;
    }
    const next = await api(sweepPath(sweepId, `/leaderboard?limit=${PAGE}&offset=${state.rows.length}`));
    if (!view.isCurrent()) return;
    const known = new Set(state.rows.map((r) => r.trialId));
    state.rows = [...state.rows, ...next.rows.filter((r) => !known.has(r.trialId))];
    state.ranked = next.total;
    updateVarying(state);
    drawTable(state);
    drawEffects(state);
  });

  const loadAll = async () => {
    // As many rows as are shown already (a page at first): "more" keeps what it loaded.
    const [sweep, { rows, ranked }, failures, active, configs] = await Promise.all([
      api(sweepPath(sweepId)),
      loadRows(sweepId, state.rows.length),
      api(sweepPath(sweepId, '/failures')),
      api(sweepPath(sweepId, '/active')),
      state.byConfig ? loadConfigs(sweepId, state.configs.length) : {},
    ]);
    if (!view.isCurrent()) return;
    Object.assign(state, { sweep, rows, ranked, failures, active }, configs);
    updateVarying(state);
    if (!state.selectionTouched) state.selected = defaultSelection(state);
    drawSummary(state);
    drawTable(state);
    drawActive(state);
    drawFailures(state);
    drawEffects(state);
    void drawCompare(state);
    await Promise.all([loadCurves(state), loadImportance(state, view)]);
  };
  await loadAll();
  if (!view.isCurrent()) return;
  openEvents(
    `api/${sweepPath(sweepId, '/events')}`,
    async (pending) => {
      const types = pending.types;
      if (pending.all || types.has('completed') || types.has('failed') || types.has('cancelled')) {
        await loadAll();
        return;
      }
      const [sweep, active] = await Promise.all([api(sweepPath(sweepId)), api(sweepPath(sweepId, '/active'))]);
      if (!view.isCurrent()) return;
      Object.assign(state, { sweep, active });
      updateVarying(state);
      drawSummary(state);
      drawActive(state);
      if ([...pending.trialIds].some((id) => state.selected.has(id))) await loadCurves(state);
    },
    setLive,
  );
}
