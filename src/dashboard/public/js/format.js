/* Formatting for the dashboard: pure functions (no DOM, no globals), so node:test imports them too.
   Types: format.d.ts. */
import { parameterValue } from './vocabulary.js';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to put into HTML, inside elements and quoted attributes. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** A metric value, fixed digits; a dash when there is none. */
export function fmtMetric(v, digits = 4) {
  return isNum(v) ? v.toFixed(digits) : '—';
}

/** A number as short as it stays exact to `precision` significant digits: 0.002, 0.15, 5e-4, 1.23e-5. */
export function fmtNumber(v, precision = 3) {
  if (!isNum(v)) return '—';
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) {
    const [mantissa, exponent] = v.toExponential(precision - 1).split('e');
    return `${mantissa.replace(/\.?0+$/, '')}e${exponent.replace(/^\+/, '')}`;
  }
  return String(Number(v.toPrecision(precision)));
}

/** A parameter's value as the views show it, by the parameter's kind. */
export function fmtParam(info, v) {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return info && info.kind === 'int' ? String(v) : fmtNumber(v);
  return String(v);
}

/** The value of `name` in a config, formatted; absent options read as the parameter means them. */
export function fmtConfigValue(config, info) {
  return fmtParam(info, parameterValue(config, info));
}

/** "depth 2 · width 32 · residual false": the given parameters of a config, by their short names. */
export function configLabel(config, params) {
  if (!config) return '';
  return params.map((p) => `${p.short} ${fmtConfigValue(config, p)}`).join(' · ');
}

export function fmtDuration(ms) {
  if (!isNum(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  let m = Math.floor(s / 60);
  let rest = Math.round(s - m * 60);
  if (rest === 60) {
    m += 1;
    rest = 0;
  }
  if (m < 60) return `${m}m ${String(rest).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** "just now", "5 min ago", "3 h ago", else the date. */
export function fmtAgo(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, (now - t) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** The first 8 hex digits of a trial id: unique enough on a page, and what the CLI prints. */
export const shortId = (id) => String(id ?? '').slice(0, 8);

export const goalArrow = (metric) => (metric && metric.goal === 'minimize' ? '↓' : '↑');

/** "validation ROC AUC ↑" */
export function metricTitle(info) {
  return `${info.label} ${goalArrow(info)}`;
}

/** Values a spec sweeps, shortly: "1, 2, 3", "8 – 64 (log)", "true, false". */
export function fmtSpecValues(info, values) {
  if (values === undefined) return '';
  if (Array.isArray(values)) return values.map((v) => fmtParam(info, v)).join(', ');
  if (values && typeof values === 'object' && 'min' in values) {
    return `${fmtParam(info, values.min)} – ${fmtParam(info, values.max)}${values.log ? ' (log)' : ''}`;
  }
  return fmtParam(info, values);
}

/** Order for table sorting: missing and non-finite values last, numbers by value, the rest as text. */
export function compareValues(a, b) {
  const na = a === undefined || a === null || (typeof a === 'number' && !Number.isFinite(a));
  const nb = b === undefined || b === null || (typeof b === 'number' && !Number.isFinite(b));
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** "12 trials", "1 trial" */
export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
