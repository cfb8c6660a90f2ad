/* #/ : every sweep under the prefix with its state counts, progress and best trial. */
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

function row(s, vocab) {
  const c = s.counts;
  const done = c.completed + (c.pruned ?? 0) + c.failed + c.cancelled;
  const metric = vocab.metric(s.metric.name);
  return `<tr data-sweep-id="${esc(s.sweepId)}">
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
    app().innerHTML = `<div class="page-head"><div><h1>Sweeps</h1><div class="meta"><span>${plural(sweeps.length, 'sweep')}, newest first</span></div></div></div>
      <div class="panel"><div class="panel-body flush"><div class="table-wrap" style="max-height:none">
        <table id="sweeps" class="clickable"><thead><tr>
          <th>sweep</th><th>state</th><th>progress</th><th class="num">total</th><th class="num">waiting</th><th class="num">active</th>
          <th class="num">completed</th><th class="num">failed</th><th class="num">cancelled</th><th>metric</th><th class="num">best</th><th>method</th><th>created</th>
        </tr></thead><tbody>${sweeps.map((s) => row(s, vocab)).join('')}</tbody></table></div></div></div>${warning}`;
    $('#sweeps tbody').addEventListener('click', (ev) => {
      const tr = ev.target.closest('tr[data-sweep-id]');
      if (!tr || ev.target.closest('a')) return;
      location.hash = `#/sweeps/${encodeURIComponent(tr.dataset.sweepId)}`;
    });
  };
  await draw();
  if (view.isCurrent()) openEvents('api/events', () => draw(), setLive);
}
