/* Trials in training (live epoch and metrics) and failed trials (with their reasons). */
import { $ } from '../dom.js';
import { configLabel, esc, fmtAgo, fmtMetric, shortId } from '../format.js';
import { parameterValue } from '../vocabulary.js';
import { colorOf } from '../charts/plot.js';

/** The metrics of the live columns, as each epoch reports them. */
const LIVE = ['valLoss', 'valAuc'];

export function trialsSkeleton(which, vocab) {
  if (which === 'active') {
    return `<section class="panel" id="active-panel" hidden>
      <div class="panel-head"><h2>In training</h2><span class="hint">live: per-epoch metrics as workers report them</span></div>
      <div class="panel-body flush"><div class="table-wrap"><table id="active-table"><thead><tr>
        <th></th><th>trial</th><th>config</th><th class="num" title="cross-validated trials: fold i of k, then the refit on the whole train file">progress</th><th class="num">training loss</th>${LIVE.map((m) => `<th class="num">${esc(vocab.metric(m).label)}</th>`).join('')}<th>worker</th><th class="num">attempt</th><th>started</th>
      </tr></thead><tbody></tbody></table></div></div>
    </section>`;
  }
  return `<section class="panel" id="failures-panel" hidden>
      <div class="panel-head"><h2>Failed trials</h2><span class="hint">deterministic failures are not retried; re-queue with <code>lstm-sweep enqueue --resume</code> or retry in the <a href="queues" target="_blank" rel="noopener">queue</a></span></div>
      <div class="panel-body flush"><div class="table-wrap"><table id="failures"><thead><tr>
        <th>trial</th><th>config</th><th class="num">attempts</th><th>worker</th><th>failed</th><th>reason</th>
      </tr></thead><tbody></tbody></table></div></div>
    </section>`;
}

export function drawActive(state) {
  $('#active-panel').hidden = state.active.length === 0;
  const epochsParam = state.vocab.param('epochs');
  $('#active-table tbody').innerHTML = [...state.active]
    .sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)))
    .map((a) => {
      const sel = state.selected.has(a.trialId);
      const color = colorOf(state.selected, a.trialId);
      const last = a.last ?? {};
      const epochs = parameterValue(a.config, epochsParam);
      return `<tr data-trial-id="${esc(a.trialId)}" class="${sel ? 'selected' : ''}">
        <td><input type="checkbox" data-trial="${esc(a.trialId)}" ${sel ? 'checked' : ''} aria-label="show curves" />${color ? `<span class="swatch" style="background:${color}"></span>` : ''}</td>
        <td><span class="mono" title="${esc(a.trialId)}">${esc(shortId(a.trialId))}</span></td>
        <td>${esc(configLabel(a.config, state.varying))}</td>
        <td class="num progress-cell">${a.progress ? esc(a.progress) : `${esc(a.epoch)}${a.config && epochs ? ` / ${esc(epochs)}` : ''}`}</td>
        <td class="num">${fmtMetric(last.loss)}</td>${LIVE.map((m) => `<td class="num">${fmtMetric(last[m])}</td>`).join('')}
        <td class="mono">${esc(a.worker)}</td><td class="num">${esc(a.attempt)}</td><td class="muted">${esc(fmtAgo(a.startedAt))}</td></tr>`;
    })
    .join('');
}

export function drawFailures(state) {
  $('#failures-panel').hidden = state.failures.length === 0;
  $('#failures tbody').innerHTML = state.failures
    .map(
      (f) => `<tr data-trial-id="${esc(f.trialId)}"><td><span class="mono" title="${esc(f.trialId)}">${esc(shortId(f.trialId))}</span></td>
      <td>${esc(configLabel(f.config, state.varying))}</td><td class="num">${esc(f.attempts)}</td><td class="mono">${esc(f.worker ?? '—')}</td>
      <td class="muted" title="${esc(f.failedAt)}">${esc(fmtAgo(f.failedAt))}</td><td class="reason">${esc(f.reason)}</td></tr>`,
    )
    .join('');
}
