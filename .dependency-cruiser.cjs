/**
 * The import rules of ../shared/design.md, checked in CI (`npm run check:imports`).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'extensions-only-via-plugin-sdk',
      comment: 'Built-in plugins see the host only through plugin-sdk, never core internals.',
      severity: 'error',
      from: { path: '^extensions/' },
      to: { path: '^core/' },
    },
    {
      name: 'surfaces-never-import-core',
      comment: 'The Slack app and the VS Code extension are API clients; they never import core.',
      severity: 'error',
      from: { path: '^(slack-app|vscode-extension)/' },
      to: { path: '^core/' },
    },
    {
      name: 'web-never-imports-core',
      comment: 'The web UI is a client of the REST API and the change stream; it never imports core.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^core/' },
    },
    {
      name: 'core-never-imports-web',
      comment: 'core serves the built web UI as a folder of files (WEB_DIR); it never imports the package.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^web/' },
    },
    {
      name: 'plugin-sdk-never-imports-core',
      severity: 'error',
      from: { path: '^plugin-sdk/' },
      to: { path: '^core/' },
    },
    {
      name: 'pure-domains-stay-pure',
      comment:
        'Grouping, event normalization, query parsing and rule evaluation are pure: no database, no HTTP.',
      severity: 'error',
      // alerts/rules is a file (rules.ts), the others are folders.
      from: { path: '^core/src/((grouping|events|search/query)/|alerts/rules\\.ts$)' },
      to: {
        path: [
          '^core/src/(db|http|api|ingest|pipeline|issues|runtime)/',
          '^node_modules/(knex|pg|@electric-sql|koa)',
        ],
        // A domain's types.ts declares plain facts (no code, no database): see issues/types.ts.
        pathNot: '^core/src/[^/]+/types\\.ts$',
      },
    },
    {
      name: 'one-way-in-per-domain',
      comment: "Domains import each other's index.ts, not their internals.",
      severity: 'error',
      from: { path: '^core/src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^core/src/([^/]+)/.+',
        pathNot: ['^core/src/$1/', '^core/src/[^/]+/index\\.ts$', '^core/src/[^/]+/types\\.ts$'],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
