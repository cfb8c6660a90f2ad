/* Small DOM helpers shared by the views. */
import { esc } from './format.js';

export const $ = (sel, root = document) => root.querySelector(sel);
export const app = () => $('#app');

/** The "live" indicator in the top bar. */
export function setLive(state, text) {
  const el = $('#live');
  if (!el) return;
  el.dataset.state = state;
  el.querySelector('span').textContent = text;
}

export function showError(err) {
  app().innerHTML = `<div class="error-box">${esc(err.message || err)}${err.status === 401 ? ' — open this page with <code>?token=…</code> once.' : ''}</div>`;
}

/** The stacked bar of a sweep's trial states. */
export function progressBar(counts, cls = '') {
  const total = Math.max(1, counts.total);
  const pct = (n) => `${((100 * n) / total).toFixed(2)}%`;
  const pruned = counts.pruned ?? 0;
  const title = `${counts.completed} completed, ${pruned ? `${pruned} pruned, ` : ''}${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.active} active, ${counts.waiting} waiting`;
  return `<div class="progress ${cls}" title="${esc(title)}">
    <span class="completed" style="width:${pct(counts.completed)}"></span><span class="pruned" style="width:${pct(pruned)}"></span><span class="failed" style="width:${pct(counts.failed)}"></span><span class="cancelled" style="width:${pct(counts.cancelled)}"></span><span class="active" style="width:${pct(counts.active)}"></span>
  </div>`;
}

/** Ticking a trial's box: at most `max` selected; returns whether the selection changed. */
export function toggleTrial(selected, ev, max) {
  const box = ev.target.closest('input[data-trial]');
  if (!box) return false;
  if (box.checked) {
    if (selected.size >= max) {
      box.checked = false;
      return false;
    }
    selected.add(box.dataset.trial);
  } else {
    selected.delete(box.dataset.trial);
  }
  return true;
}
