/* #/ : every sweep under the prefix with its state counts, progress and best trial; tick sweeps of
   one dataset to compare them (#/compare/<id>,<id>,...). */
import { api, openEvents } from '../api.js';
import { $, app, progressBar, setLive } from '../dom.js';
import { esc, fmtAgo, fmtMetric, metricTitle, plural } from '../format.js';

function stateBadge(s) {
  const c = s.counts;
  const done = c.completed + (c.pruned ?? 0) + c.failed + c.cancelled;
  if (done >= c.total && c.total > 0)
    return c.failed > 0 ? '<span class="badge fail">done, with failures</span>' : '<span class="badge ok">done</span>';
  return c.active > 0 ? '<span class="badge">running</span>' : '<span class="badge warn">queued</span>';
}

/** At most this many sweeps side by side (the API's limit, src/dashboard/sweep-compare.ts COMPARE_MAX). */
const COMPARE_MAX = 8;

/** Whether the ticked sweeps can be compared, and why not: 2 to 8 sweeps, all of one dataset. */
export function compareCheck(sweeps, ids) {
  const chosen = sweeps.filter((s) => ids.has(s.sweepId));
  if (chosen.length < 2) return { ok: false, why: 'tick 2 or more sweeps of the same dataset to compare them' };
  if (chosen.length > COMPARE_MAX) return { ok: false, why: `at most ${COMPARE_MAX} sweeps at once` };
  const hashes = [...new Set(chosen.map((s) => s.datasetHash))];
  if (hashes.length > 1) {
    const named = chosen.map((s) => `${s.name} (${s.datasetHash.slice(0, 8)})`).join(', ');
    return { ok: false, why: `not comparable: different datasets — ${named}` };
  }
  return { ok: true, why: `compare ${chosen.length} sweeps of dataset ${hashes[0].slice(0, 8)}` };
}

function row(s, vocab, ticked) {
  const c = s.counts;
  const done = c.completed + (c.pruned ?? 0) + c.failed + c.cancelled;
  const metric = vocab.metric(s.metric.name);
  return `<tr data-sweep-id="${esc(s.sweepId)}">
    <td><input type="checkbox" data-compare="${esc(s.sweepId)}" ${ticked.has(s.sweepId) ? 'checked' : ''} aria-label="compare ${esc(s.name)}" title="dataset ${esc(s.datasetHash.slice(0, 12))}" /></td>
    <td><a href="#/sweeps/${encodeURIComponent(s.sweepId)}"><b>${esc(s.name)}</b></a><div class="mono muted">${esc(s.sweepId)}</div></td>
    <td>${stateBadge(s)}${s.dryRun ? ' <span class="badge warn">dry run</span>' : ''}</td>
    <td style="min-width:200px">${progressBar(c)}<div class="muted" style="font-size:12px;margin-top:4px">${done} / ${c.total} done</div></td>
    <td class="num">${c.total}</td><td class="num">${c.waiting}</td><td class="num">${c.active}</td>
    <td class="num">${c.completed}</td><td class="num">${c.failed}</td><td class="num">${c.cancelled}</td>
    <td title="${esc(metric.name)}">${esc(metricTitle({ ...metric, goal: s.metric.goal }))}</td>
    <td class="num metric">${s.best ? fmtMetric(s.best.value) : '—'}</td>
    <td>${esc(s.method)}</td>
    <td class="muted" title="${esc(s.createdAt)}">${esc(fmtAgo(s.createdAt))}</td>
  </tr>`;
}

export async function renderOverview(view, vocab) {
  document.title = 'Sweeps · lstm-sweep';
  /** ticked sweeps: kept across live redraws */
  const ticked = new Set();
  let latest = [];
  const updateCompare = () => {
    const check = compareCheck(latest, ticked);
    $('#compare-btn').disabled = !check.ok;
    $('#compare-hint').textContent = check.why;
  };
  const draw = async () => {
    const { sweeps, skipped } = await api('sweeps');
    if (!view.isCurrent()) return;
    // Records in Redis that do not parse are left out by the server and named here.
    const warning = skipped.length
      ? `<div class="panel"><div class="empty">Skipped ${plural(skipped.length, 'corrupt record')}: ${skipped
          .map((s) => `<code>${esc(s.key)}${s.field ? ` ${esc(s.field)}` : ''}</code> (${esc(s.reason)})`)
          .join(', ')}</div></div>`
      : '';
    if (sweeps.length === 0) {
      app().innerHTML = `<div class="page-head"><div><h1>Sweeps</h1></div></div>
        <div class="panel"><div class="empty">No sweeps under this prefix yet. Start one with <code>lstm-sweep enqueue spec.yaml</code>.</div></div>${warning}`;
      return;
    }
    latest = sweeps;
    for (const id of [...ticked]) if (!sweeps.some((s) => s.sweepId === id)) ticked.delete(id);
    app().innerHTML = `<div class="page-head"><div><h1>Sweeps</h1><div class="meta"><span>${plural(sweeps.length, 'sweep')}, newest first</span></div></div>
      <div class="compare-action"><span class="hint" id="compare-hint"></span><button class="btn" id="compare-btn" type="button" disabled>Compare</button></div></div>
      <div class="panel"><div class="panel-body flush"><div class="table-wrap" style="max-height:none">
        <table id="sweeps" class="clickable"><thead><tr>
          <th></th><th>sweep</th><th>state</th><th>progress</th><th class="num">total</th><th class="num">waiting</th><th class="num">active</th>
          <th class="num">completed</th><th class="num">failed</th><th class="num">cancelled</th><th>metric</th><th class="num">best</th><th>method</th><th>created</th>
        </tr></thead><tbody>${sweeps.map((s) => row(s, vocab, ticked)).join('')}</tbody></table></div></div></div>${warning}`;
    $('#sweeps tbody').addEventListener('click', (ev) => {
      const tr = ev.target.closest('tr[data-sweep-id]');
      if (!tr || ev.target.closest('a') || ev.target.closest('input[data-compare]')) return;
      location.hash = `#/sweeps/${encodeURIComponent(tr.dataset.sweepId)}`;
    });
    $('#sweeps tbody').addEventListener('change', (ev) => {
      const box = ev.target.closest('input[data-compare]');
      if (!box) return;
      if (box.checked) ticked.add(box.dataset.compare);
      else ticked.delete(box.dataset.compare);
      updateCompare();
    });
    $('#compare-btn').addEventListener('click', () => {
      if (!compareCheck(latest, ticked).ok) return;
      // In the overview's order (newest first): the first one's metric leads the comparison.
      const ids = latest.filter((s) => ticked.has(s.sweepId)).map((s) => encodeURIComponent(s.sweepId));
      location.hash = `#/compare/${ids.join(',')}`;
    });
    updateCompare();
  };
  await draw();
  if (view.isCurrent()) openEvents('api/events', () => draw(), setLive);
}
