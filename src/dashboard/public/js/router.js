/* Hash routes: #/ the sweeps, #/sweeps/<id> one sweep, #/compare/<id>,<id>,... sweeps side by side. Each route gets a `view` whose
   `isCurrent()` turns false as soon as the user navigates on, so late answers draw nothing. */
import { closeEvents, loadVocabulary } from './api.js';
import { $, setLive, showError } from './dom.js';
import { renderCompare } from './views/compare-sweeps.js';
import { renderOverview } from './views/sweeps.js';
import { renderSweep } from './views/sweep.js';

let routeSeq = 0;

/** The route a location hash names. */
export function parseRoute(hash) {
  const c = (hash || '#/').match(/^#\/compare\/([^/?#]+)/);
  if (c) {
    try {
      return { name: 'compare', sweepIds: c[1].split(',').map(decodeURIComponent) };
    } catch {
      return { name: 'sweeps' };
    }
  }
  const m = (hash || '#/').match(/^#\/sweeps\/([^/?#]+)/);
  if (!m) return { name: 'sweeps' };
  try {
    return { name: 'sweep', sweepId: decodeURIComponent(m[1]) };
  } catch {
    return { name: 'sweeps' };
  }
}

async function route() {
  const seq = ++routeSeq;
  const view = { isCurrent: () => seq === routeSeq };
  closeEvents();
  const target = parseRoute(location.hash);
  document.querySelectorAll('.topbar nav a').forEach((a) => a.classList.remove('current'));
  try {
    const vocab = await loadVocabulary();
    if (!view.isCurrent()) return;
    if (target.name === 'sweep') {
      await renderSweep(target.sweepId, view, vocab);
    } else if (target.name === 'compare') {
      await renderCompare(target.sweepIds, view, vocab);
    } else {
      $('#nav-sweeps').classList.add('current');
      await renderOverview(view, vocab);
    }
  } catch (err) {
    if (!view.isCurrent()) return;
    setLive('error', 'offline');
    showError(err);
  }
}

export function startRouter() {
  window.addEventListener('hashchange', () => void route());
  void route();
}
