/* #/compare/<id>,<id>,... : sweeps of one dataset side by side (GET /api/compare): a column per
   sweep with its best configuration (by configuration over seeds when it has several, else the
   best trial), its metric, test accuracy and MiniRocket baseline; then the distribution of each
   sweep's finished trials as box plots with every point. */
import { api } from '../api.js';
import { $, app } from '../dom.js';
import { esc, fmtConfigValue, fmtMetric, isNum, metricTitle, plural, shortId } from '../format.js';
import { parameterValue, sweepMetric } from '../vocabulary.js';
import { PALETTE, axis, baseLayout, plot } from '../charts/plot.js';

/** A sweep's label on the plots' axis: its name, and its short id when two sweeps share a name. */
function labels(sweeps) {
  const names = sweeps.map((s) => s.name);
  return sweeps.map((s) => (names.filter((n) => n === s.name).length > 1 ? `${s.name} ${shortId(s.sweepId.slice(-10))}` : s.name));
}

/** The parameters shown: those any sweep varies or whose best values differ; `all` adds the rest (the seed is in "best"). */
function shownParameters(vocab, sweeps, all) {
  const swept = new Set(sweeps.flatMap((s) => s.swept));
  const differs = (p) => new Set(sweeps.filter((s) => s.best).map((s) => JSON.stringify(parameterValue(s.best.config, p)))).size > 1;
  return vocab.parameters
    .filter((p) => p.name !== 'seed')
    .map((p) => ({ param: p, differs: differs(p) }))
    .filter(({ param, differs: d }) => all || d || swept.has(param.name));
}

function bestLabel(best) {
  if (!best) return '<span class="muted">no finished trial yet</span>';
  if (best.kind === 'trial') return `trial <span class="mono" title="${esc(best.trialIds[0])}">${esc(shortId(best.trialIds[0]))}</span>`;
  return `configuration over ${plural(best.seeds.length, 'seed')} (${esc([...best.seeds].sort((a, b) => a - b).join(', '))})`;
}

function metricCell(best) {
  if (!best) return '—';
  if (best.kind === 'trial' || !isNum(best.spread.std)) return fmtMetric(best.value);
  return `${fmtMetric(best.value)} <span class="muted">± ${fmtMetric(best.spread.std)}</span>`;
}

function baselineCell(s, metric) {
  const b = s.baseline;
  if (!b) return '<span class="muted">none</span>';
  if (b.state !== 'done') return `<span class="muted">${esc(b.state)}</span>`;
  const test = isNum(b.metrics.testAcc) ? ` · test acc ${fmtMetric(b.metrics.testAcc)}` : '';
  return `${fmtMetric(b.metrics[metric.name])}${test}`;
}

function drawTable(state) {
  const { data, vocab } = state;
  const metric = sweepMetric(vocab, data.metric);
  const sweeps = data.sweeps;
  const row = (label, cells, attrs = '') => `<tr ${attrs}><th>${label}</th>${cells.join('')}</tr>`;
  const cell = (s, html, key) => `<td data-sweep="${esc(s.sweepId)}" data-row="${esc(key)}">${html}</td>`;
  const params = shownParameters(vocab, sweeps, state.allParams).map(({ param, differs }) =>
    row(
      `<span title="${esc(param.description)}">${esc(param.label)}</span>`,
      sweeps.map(
        (s) =>
          `<td data-sweep="${esc(s.sweepId)}" data-param="${esc(param.name)}">${s.best ? esc(fmtConfigValue(s.best.config, param)) : '—'}</td>`,
      ),
      `class="param${differs ? ' differs' : ''}"`,
    ),
  );
  $('#compare-table').innerHTML = `<thead><tr><th></th>${sweeps
    .map(
      (s) =>
        `<th data-sweep="${esc(s.sweepId)}"><a href="#/sweeps/${encodeURIComponent(s.sweepId)}"><b>${esc(s.name)}</b></a><div class="mono muted">${esc(s.sweepId)}</div></th>`,
    )
    .join('')}</tr></thead><tbody>${[
    row(
      'method',
      sweeps.map((s) => cell(s, `${esc(s.method)}${s.dryRun ? ' <span class="badge warn">dry run</span>' : ''}`, 'method')),
    ),
    row(
      'trials',
      sweeps.map((s) => cell(s, `${s.finished} finished of ${s.counts.total}`, 'trials')),
    ),
    row(
      'best',
      sweeps.map((s) => cell(s, bestLabel(s.best), 'best')),
    ),
    row(
      esc(metricTitle(metric)),
      sweeps.map((s) => cell(s, metricCell(s.best), 'metric')),
      'class="metric"',
    ),
    row(
      'test accuracy',
      sweeps.map((s) => cell(s, fmtMetric(s.best?.testAcc), 'testAcc')),
    ),
    row(
      'MiniRocket baseline',
      sweeps.map((s) => cell(s, baselineCell(s, metric), 'baseline')),
    ),
    ...params,
  ].join('')}</tbody>`;
}

/** One box per sweep with every trial as a point (`key` of its points); the baselines' `metricName` as diamonds. */
function drawBoxes(el, data, labels, key, metricName, title) {
  const boxes = data.sweeps.map((s, i) => {
    const points = s.points.filter((p) => isNum(p[key]));
    return {
      type: 'box',
      name: labels[i],
      y: points.map((p) => p[key]),
      text: points.map((p) => p.trialId),
      boxpoints: 'all',
      jitter: 0.5,
      pointpos: 0,
      marker: { color: PALETTE[i % PALETTE.length], size: 6, opacity: 0.8 },
      line: { color: PALETTE[i % PALETTE.length] },
      hovertemplate: `%{text}<br>${esc(title)} %{y:.4f}<extra>${esc(labels[i])}</extra>`,
    };
  });
  const baselines = data.sweeps.flatMap((s, i) => {
    const v = s.baseline?.state === 'done' ? s.baseline.metrics[metricName] : undefined;
    return isNum(v) ? [{ x: labels[i], y: v }] : [];
  });
  const traces = [...boxes];
  if (baselines.length > 0) {
    traces.push({
      type: 'scatter',
      mode: 'markers',
      name: 'MiniRocket baseline',
      x: baselines.map((b) => b.x),
      y: baselines.map((b) => b.y),
      marker: { symbol: 'diamond', size: 12, color: '#1d2330', line: { color: '#fff', width: 1 } },
      hovertemplate: `MiniRocket baseline<br>${esc(title)} %{y:.4f}<extra></extra>`,
    });
  }
  plot(el, traces, baseLayout({ title: { text: title, font: { size: 13 } }, showlegend: false, yaxis: axis(title), xaxis: axis('') }));
}

export async function renderCompare(sweepIds, view, vocab) {
  document.title = 'Compare sweeps · lstm-sweep';
  const data = await api(`compare?sweeps=${sweepIds.map(encodeURIComponent).join(',')}`);
  if (!view.isCurrent()) return;
  const state = { data, vocab, allParams: false };
  const metric = sweepMetric(vocab, data.metric);
  const hasTest = data.sweeps.some((s) => s.points.some((p) => isNum(p.testAcc)));
  app().innerHTML = `<div class="crumbs"><a href="#/">Sweeps</a> / compare</div>
    <div class="page-head"><div><h1>Compare ${plural(data.sweeps.length, 'sweep')}</h1>
      <div class="meta"><span>dataset <span class="mono" title="${esc(data.datasetHash)}">${esc(data.datasetHash.slice(0, 12))}</span></span>
        <span>metric: <b>${esc(metric.label)}</b> (${esc(metric.goal)})</span></div></div></div>
    ${data.note ? `<div class="panel"><div class="empty" id="compare-note">${esc(data.note)}</div></div>` : ''}
    <section class="panel">
      <div class="panel-head"><h2>Best configurations</h2><span class="hint">with several seeds: the best configuration by its mean over the seeds (leaderboard --by-config); else the best trial · highlighted: parameters whose best values differ</span><span class="spacer"></span>
        <label class="toggle"><input type="checkbox" id="compare-all-params" /> all parameters</label></div>
      <div class="panel-body flush"><div class="table-wrap"><table id="compare-table" class="compare"></table></div></div>
    </section>
    <section class="panel">
      <div class="panel-head"><h2>Distributions</h2><span class="hint">one box per sweep, every finished trial a point; ◆ the sweep's MiniRocket baseline</span></div>
      <div class="panel-body"><div class="compare-charts"><div class="chart" id="compare-metric"></div>${hasTest ? '<div class="chart" id="compare-testAcc"></div>' : ''}</div></div>
    </section>`;
  drawTable(state);
  $('#compare-all-params').addEventListener('change', (ev) => {
    state.allParams = ev.target.checked;
    drawTable(state);
  });
  const names = labels(data.sweeps);
  drawBoxes($('#compare-metric'), data, names, 'value', metric.name, metricTitle(metric));
  if (hasTest) drawBoxes($('#compare-testAcc'), data, names, 'testAcc', 'testAcc', vocab.metric('testAcc').label);
}
