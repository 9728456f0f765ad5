// Layering rules of the house (ARCHITECTURE.md), checked by `npm run lint`.
const FEATURES = '(access|cabinets|delegations|directory|dossiers|identity|journal|mail)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make modules impossible to understand or test on their own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'web-not-to-server',
      severity: 'error',
      comment: 'The web app runs in the browser: it shares only src/shared with the server.',
      from: { path: '^src/web/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'shared-is-a-leaf',
      severity: 'error',
      comment: 'src/shared is imported by both sides and imports neither.',
      from: { path: '^src/shared/' },
      to: { path: '^src/(server|web)/' },
    },
    {
      name: 'platform-imports-no-feature',
      severity: 'error',
      comment: 'The platform is underneath every feature; it knows none of them.',
      from: { path: '^src/server/platform/' },
      to: { path: `^src/server/(${FEATURES.slice(1, -1)}|[^/]+\\.ts$)` },
    },
    {
      name: 'features-through-their-facade',
      severity: 'error',
      comment:
        'A feature reaches another only through its index.ts (its facade), its facts.ts (the rows it lets others read) or its tables.ts (types).',
      from: { path: `^src/server/${FEATURES}/` },
      to: {
        path: `^src/server/${FEATURES}/`,
        pathNot: ['^src/server/$1/', `^src/server/${FEATURES}/(index|facts|tables)\\.ts$`],
      },
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^dist/' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
