/* The leaderboard by configuration: one row per configuration trained with several seeds, from
   /api/sweeps/<id>/configs (the groups of `lstm-sweep leaderboard --by-config --json`): the
   parameters that vary but the seed, how many seeds, the sweep's metric as mean ± sd, min and max
   over them, test accuracy mean ± sd and the test accuracy of the seed ensemble. */
import { loadPages } from '../api.js';
import { esc, fmtMetric, isNum, metricTitle } from '../format.js';
import { sweepMetric } from '../vocabulary.js';

/** The best `count` configurations (at least one page), and how many there are. */
export async function loadConfigs(sweepId, count) {
  const { rows, total } = await loadPages(sweepId, '/configs', count);
  return { configs: rows, configTotal: total };
}

/** "0.8123 ± 0.0210": a spread's mean and standard deviation, each in its own span. */
function spreadColumn(key, label, title, spreadOf, cls = '') {
  return {
    key,
    label,
    title,
    num: true,
    cls,
    get: (g) => spreadOf(g)?.mean,
    fmt: (g) => {
      const s = spreadOf(g);
      return s
        ? `<span class="mean">${fmtMetric(s.mean)}</span> <span class="sd">± ${fmtMetric(s.std)}</span>`
        : '<span class="mean">—</span>';
    },
  };
}

/**
 * The columns of the table by configuration; `paramColumn` makes a parameter's column as the
 * per-trial table does. Columns with `ref` show the baseline's value in the reference row.
 */
export function configColumns(state, paramColumn) {
  const params = (state.allParams ? state.vocab.parameters : state.varying).filter((p) => p.name !== 'seed');
  const metric = sweepMetric(state.vocab, state.sweep.metric);
  const test = state.vocab.metric('testAcc');
  const hasTest = state.configs.some((g) => g.testAcc);
  const hasEnsemble = state.configs.some((g) => isNum(g.ensembleTestAcc));
  const extreme = (key, label, pick) => ({
    key,
    label: `${label} ${metric.short}`,
    title: `${label} of ${metric.label} over the seeds`,
    num: true,
    get: (g) => g.metric[pick],
    fmt: (g) => fmtMetric(g.metric[pick]),
  });
  return [
    { key: 'rank', label: '#', num: true, get: (g) => g.rank },
    ...params.map(paramColumn),
    {
      key: 'seeds',
      label: 'seeds',
      title: 'seeds trained with this configuration',
      num: true,
      get: (g) => g.seeds.length,
      fmt: (g) => `<span title="seeds ${esc(g.seeds.join(', '))}">${esc(g.seeds.length)}</span>`,
    },
    {
      ...spreadColumn('metric', `${metricTitle(metric)} mean ± sd`, `${metric.name} over the seeds`, (g) => g.metric, 'metric'),
      ref: (b) => `<span class="mean">${fmtMetric(b.metrics[metric.name])}</span>`,
    },
    extreme('metricMin', 'min', 'min'),
    extreme('metricMax', 'max', 'max'),
    ...(hasTest
      ? [
          {
            ...spreadColumn('testAcc', `${test.label} mean ± sd`, 'testAcc over the seeds', (g) => g.testAcc),
            ref: (b) => `<span class="mean">${fmtMetric(b.metrics[test.name])}</span>`,
          },
        ]
      : []),
    ...(hasEnsemble
      ? [
          {
            key: 'ensembleTestAcc',
            label: `seed ensemble ${test.label}`,
            title: "test accuracy of the mean of the seeds' class probabilities",
            num: true,
            get: (g) => g.ensembleTestAcc,
            fmt: (g) => fmtMetric(g.ensembleTestAcc),
          },
        ]
      : []),
  ];
}

/** Ticking a configuration's box selects (or clears) all its trials; returns whether the selection changed. */
export function toggleConfig(selected, ev, max) {
  const box = ev.target.closest('input[data-trials]');
  if (!box) return false;
  const ids = box.dataset.trials.split(',');
  if (box.checked) {
    const fresh = ids.filter((id) => !selected.has(id));
    if (selected.size + fresh.length > max) {
      box.checked = false;
      return false;
    }
    for (const id of fresh) selected.add(id);
  } else {
    for (const id of ids) selected.delete(id);
  }
  return true;
}
