/**
 * The import direction of lstm-sweep, checked by `npm run check` (dependency-cruiser).
 * A spec becomes trials (search), trials become jobs (queue), a worker turns a job into a result
 * (protocol + model), the store keeps it, views read the store (and what analysis makes of
 * finished results: paired comparisons, importance). Each layer imports only the
 * layers below it, never a layer above or a sibling folder of its own layer.
 */
const LAYERS = [
  ['cli'],
  ['dashboard', 'demo'],
  ['producer', 'worker'],
  ['search', 'protocol', 'analysis'],
  ['queue'],
  ['store'],
  ['config'],
  ['definition'],
  ['model'],
  ['data'],
  ['util'],
];

const folder = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((name) => {
    const above = LAYERS.slice(0, i).flat();
    const siblings = layer.filter((other) => other !== name);
    return {
      name: `layer-${name}`,
      comment: `src/${name} may import only layers below it (${LAYERS.slice(i + 1)
        .flat()
        .join(', ')})`,
      severity: 'error',
      from: { path: folder([name]) },
      to: { path: folder([...above, ...siblings]) },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'modules import each other in a circle',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'unknown-layer',
      comment: 'every folder of src/ has a place in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: '^src/', pathNot: folder(LAYERS.flat()) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/model/fast/assembly/|^src/dashboard/public/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
