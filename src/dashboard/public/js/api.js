/* The dashboard's JSON API and its server-sent events. Requests are relative to the page, so a
   dashboard behind a path prefix works, and carry the token cookie (same origin). */
import { createVocabulary } from './vocabulary.js';

/** GET api/<path> as JSON; a failed request throws an Error with the server's message and `status`. */
export async function api(path) {
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

let vocabulary;

/** The parameters and metrics (/api/meta), fetched once per page load. */
export function loadVocabulary() {
  vocabulary ??= api('meta')
    .then(createVocabulary)
    .catch((err) => {
      vocabulary = undefined;
      throw err;
    });
  return vocabulary;
}

export const sweepPath = (sweepId, rest = '') => `sweeps/${encodeURIComponent(sweepId)}${rest}`;

/** Rows per request of a paged route: the API's largest page (src/dashboard/api.ts LEADERBOARD_PAGE). */
export const PAGE = 1000;

/**
 * The first `count` rows (at least one page) of a sweep's paged route (`/leaderboard`, `/configs`),
 * a page per request, and how many there are.
 */
export async function loadPages(sweepId, route, count) {
  const pages = Math.max(1, Math.ceil(count / PAGE));
  const replies = await Promise.all(
    Array.from({ length: pages }, (_, i) => api(sweepPath(sweepId, `${route}?limit=${PAGE}&offset=${i * PAGE}`))),
  );
  return { rows: replies.flatMap((r) => r.rows), total: replies[0].total };
}

// ---------------------------------------------------------------- live events

let source;
let refreshTimer;
let pending = emptyPending();

function emptyPending() {
  return { all: false, types: new Set(), trialIds: new Set() };
}

export function closeEvents() {
  if (source) source.close();
  source = undefined;
  clearTimeout(refreshTimer);
  refreshTimer = undefined;
  pending = emptyPending();
}

/**
 * Opens the event stream at `path` (one at a time: it closes the previous one). Every batch of
 * events schedules one `onRefresh(pending)` (at most ~2 per second) with what happened since the
 * last: `all` (reconnected or too much to list: reload everything), the event `types` and `trialIds`.
 * `onState(state, text)` reports the connection: 'off' connecting, 'on' live, 'error' reconnecting.
 */
export function openEvents(path, onRefresh, onState = () => undefined) {
  closeEvents();
  onState('off', 'connecting');
  const es = new EventSource(path);
  source = es;
  const schedule = () => {
    if (refreshTimer) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = undefined;
      const batch = pending;
      pending = emptyPending();
      try {
        await onRefresh(batch);
      } catch (err) {
        console.warn('refresh failed', err);
      }
    }, 400);
  };
  es.addEventListener('ready', () => {
    if (source !== es) return;
    onState('on', 'live');
    // Anything that happened while (re)connecting: reload everything once.
    pending.all = true;
    schedule();
  });
  es.addEventListener('trials', (msg) => {
    if (source !== es) return;
    const data = JSON.parse(msg.data);
    if (data.truncated) pending.all = true;
    for (const e of data.events) {
      pending.types.add(e.type);
      pending.trialIds.add(e.trialId);
    }
    schedule();
  });
  es.onerror = () => {
    if (source === es) onState('error', 'reconnecting');
  };
}
