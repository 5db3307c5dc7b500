/**
 * The import rules of ../shared/design.md, checked in CI (`npm run check:imports`).
 */

/**
 * Which core domains each domain may import (besides itself and any domain's types.ts, which holds
 * plain facts). This is the architecture as it is: a new edge is a design decision, made here on
 * purpose, not slipped in. Foundations first, edges (api, runtime, cli) last.
 */
const DOMAIN_IMPORTS = {
  errors: [],
  logging: [],
  access: [],
  audit: [],
  db: [],
  config: ['errors'],
  events: ['errors'],
  grouping: ['events'],
  http: ['errors', 'logging'],
  mail: ['logging'],
  changes: ['db'],
  jobs: ['db', 'logging'],
  accounts: ['access'],
  // The Typesense indexer reads the change outbox and the issues it names (Postgres is the truth).
  search: ['changes', 'db', 'errors', 'issues', 'logging'],
  organizations: ['access', 'accounts', 'audit', 'errors'],
  auth: ['access', 'accounts', 'audit', 'config', 'errors', 'logging', 'mail'],
  tokens: ['access', 'accounts', 'audit', 'errors'],
  // Linked accounts: Slack and GitHub identities of Faultline users (issue 10, part 4).
  identities: ['accounts', 'audit', 'errors'],
  // What an integration keeps in Faultline: its change stream cursor, its OAuth installations (issue 14).
  integrations: ['changes', 'errors', 'identities'],
  'device-auth': ['access', 'accounts', 'audit', 'auth', 'errors', 'organizations', 'tokens'],
  issues: ['audit', 'changes', 'db', 'errors', 'events', 'grouping', 'organizations'],
  // Releases, repositories, commits and deploys (issue 17); events name releases, issues count them.
  // db: the pipeline's memory of known releases is filled only after its batch commits (afterCommit).
  releases: ['db', 'errors', 'issues', 'organizations'],
  pipeline: ['db', 'events', 'grouping', 'issues', 'releases'],
  // Ingest does as little as possible on the request path: never grouping, issues or the pipeline.
  ingest: ['accounts', 'config', 'db', 'errors', 'events', 'http'],
  // search: a rule's query filter is read by the search parser and answered by the search SQL (issue 14).
  alerts: ['changes', 'db', 'errors', 'issues', 'jobs', 'logging', 'search'],
  plugins: [
    'alerts',
    // Issue actions record their runs in the audit log.
    'audit',
    'changes',
    'db',
    'errors',
    'events',
    'http',
    // The linked-accounts service maps plugins' provider identities to members (issue 15).
    'identities',
    // The installations service gives an integration's plugin its OAuth-installed workspaces (issue 14).
    'integrations',
    'issues',
    'jobs',
    'logging',
    'organizations',
  ],
  api: [
    'access',
    'accounts',
    'alerts',
    'audit',
    'auth',
    'changes',
    'config',
    'db',
    'device-auth',
    'errors',
    'events',
    'http',
    'identities',
    'integrations',
    'issues',
    'logging',
    'mail',
    'organizations',
    'pipeline',
    'plugins',
    'releases',
    'search',
    'tokens',
  ],
  runtime: [
    'accounts',
    'alerts',
    'api',
    'auth',
    'changes',
    'config',
    'db',
    'errors',
    'http',
    'ingest',
    // The purpose installations are sealed under, to open them for the plugins' installations service.
    'integrations',
    'jobs',
    'logging',
    'mail',
    'pipeline',
    'plugins',
    'search',
  ],
  cli: ['accounts', 'api', 'auth', 'config', 'errors', 'logging', 'runtime', 'search'],
  testing: ['changes', 'config', 'db', 'logging', 'runtime'],
  'testing-host': ['accounts', 'config', 'logging', 'plugins', 'runtime'],
};

const domainRules = Object.entries(DOMAIN_IMPORTS).map(([domain, allowed]) => ({
  name: `domain-imports-${domain}`,
  comment: `${domain} may import only ${allowed.join(', ') || 'no other domain'} (DOMAIN_IMPORTS).`,
  severity: 'error',
  from: { path: `^core/src/${domain}/`, pathNot: '\\.test\\.ts$' },
  to: {
    path: '^core/src/[^/]+/',
    pathNot: [`^core/src/(${[domain, ...allowed].join('|')})/`, '^core/src/[^/]+/types\\.ts$'],
  },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...domainRules,
    {
      name: 'every-domain-is-placed',
      comment: 'A new folder under core/src gets its line in DOMAIN_IMPORTS.',
      severity: 'error',
      from: {
        path: '^core/src/[^/]+/',
        pathNot: [`^core/src/(${Object.keys(DOMAIN_IMPORTS).join('|')})/`, '\\.test\\.ts$'],
      },
      to: { path: '^core/src/' },
    },
    {
      name: 'extensions-only-via-plugin-sdk',
      comment: 'Built-in plugins see the host only through plugin-sdk, never core internals.',
      severity: 'error',
      from: { path: '^extensions/' },
      to: { path: '^core/' },
    },
    {
      name: 'surfaces-never-import-core',
      comment:
        'The surfaces (Slack app, VS Code extension, web UI) and the generated API client talk to core over HTTP only.',
      severity: 'error',
      from: { path: '^(slack-app|vscode-extension|web|api-client)/' },
      to: { path: '^core/' },
    },
    {
      name: 'core-loads-slack-app-in-one-place',
      comment:
        'core runs the Slack app inside `faultline start` (issue 14) but only loads it, by package name and only when Slack is configured, in runtime/slack-module.ts: the app stays an HTTP client of the API, and nothing else in core may reach into it.',
      severity: 'error',
      from: { path: '^core/', pathNot: '^core/src/runtime/slack-module\\.ts$' },
      to: { path: '(^|/)slack-app/' },
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
      from: { path: '^core/src/((grouping|events|access|search/query)/|alerts/(rules|types)\\.ts$)' },
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
    // Built output is not cruised, except the Slack app's entry point, so that core's one way into
    // the app (core-loads-slack-app-in-one-place) is seen and checked.
    exclude: { path: '^(?!slack-app/dist/index\\.(js|d\\.ts)$).*(^|/)dist/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
