/* Plotly (a global from vendor/plotly.min.js, served by the dashboard) with the page's look. */

export const PALETTE = [
  '#2f6fde',
  '#e4572e',
  '#1f9d63',
  '#9b5de5',
  '#f0a202',
  '#00a6a6',
  '#d1495b',
  '#5c6b7a',
  '#8ac926',
  '#ff7eb6',
  '#3d348b',
  '#bc6c25',
];
export const COLORSCALE = 'Viridis';
const PLOT_CONFIG = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d', 'toggleSpikelines'],
};
const FONT = { family: 'Inter, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif', size: 12, color: '#1d2330' };

export function axis(title, extra = {}) {
  return {
    title: { text: title, standoff: 6 },
    gridcolor: '#eef0f3',
    zeroline: false,
    linecolor: '#cfd4da',
    ticks: 'outside',
    tickcolor: '#cfd4da',
    automargin: true,
    ...extra,
  };
}

export function baseLayout(extra = {}) {
  return {
    font: FONT,
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: '#fff',
    margin: { l: 56, r: 12, t: 34, b: 46 },
    hovermode: 'closest',
    ...extra,
  };
}

export function plot(el, data, layout) {
  if (!el || typeof Plotly === 'undefined') return;
  Plotly.react(el, data, layout, PLOT_CONFIG);
}

export function hasWebGL() {
  try {
    const canvas = document.createElement('canvas');
    return Boolean(canvas.getContext('webgl') || canvas.getContext('experimental-webgl'));
  } catch {
    return false;
  }
}

/** The colour of a selected trial (its curves, its swatch in the tables); undefined when not selected. */
export function colorOf(selected, trialId) {
  const i = [...selected].indexOf(trialId);
  return i < 0 ? undefined : PALETTE[i % PALETTE.length];
}

/** A small, stable horizontal offset per trial, so points with the same value do not hide each other. */
export function jitter(trialId, spread) {
  return (parseInt(String(trialId).slice(8, 12), 16) / 0xffff - 0.5) * spread;
}
