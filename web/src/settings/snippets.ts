/**
 * Setup snippets for the Sentry SDKs people point at Faultline: how to install the SDK and the
 * code that starts it with a key's DSN. Only the DSN differs from Sentry's own instructions.
 */
export const SDKS = ['browser', 'node', 'python', 'ruby', 'go', 'java', 'dotnet', 'php'] as const;
export type Sdk = (typeof SDKS)[number];

export interface Snippet {
  /** The tab's name. */
  label: string;
  /** The command that installs the SDK. */
  install: string;
  /** The code that starts it. */
  code: string;
}

/** A string literal in single quotes (JavaScript, Ruby, PHP): backslashes and quotes escaped. */
const single = (text: string) => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
/** A string literal in double quotes (Python, Go, Java, C#): JSON's escaping is valid in each. */
const double = (text: string) => JSON.stringify(text);

const BUILDERS: Record<Sdk, (dsn: string) => Snippet> = {
  browser: (dsn) => ({
    label: 'Browser JavaScript',
    install: 'npm install @sentry/browser',
    code: `import * as Sentry from '@sentry/browser';\n\nSentry.init({\n  dsn: ${single(dsn)},\n});`,
  }),
  node: (dsn) => ({
    label: 'Node.js',
    install: 'npm install @sentry/node',
    code: `const Sentry = require('@sentry/node');\n\nSentry.init({\n  dsn: ${single(dsn)},\n});`,
  }),
  python: (dsn) => ({
    label: 'Python',
    install: 'pip install sentry-sdk',
    code: `import sentry_sdk\n\nsentry_sdk.init(\n    dsn=${double(dsn)},\n)`,
  }),
  ruby: (dsn) => ({
    label: 'Ruby',
    install: 'gem install sentry-ruby',
    code: `require 'sentry-ruby'\n\nSentry.init do |config|\n  config.dsn = ${single(dsn)}\nend`,
  }),
  go: (dsn) => ({
    label: 'Go',
    install: 'go get github.com/getsentry/sentry-go',
    code:
      `err := sentry.Init(sentry.ClientOptions{\n\tDsn: ${double(dsn)},\n})\n` +
      `if err != nil {\n\tlog.Fatalf("sentry.Init: %s", err)\n}\n` +
      `// Events are sent in the background: give them time to leave before the program exits.\n` +
      `defer sentry.Flush(2 * time.Second)`,
  }),
  java: (dsn) => ({
    label: 'Java',
    install: "implementation 'io.sentry:sentry:8.+'  // Gradle; Maven: io.sentry:sentry",
    code: `import io.sentry.Sentry;\n\nSentry.init(options -> {\n    options.setDsn(${double(dsn)});\n});`,
  }),
  dotnet: (dsn) => ({
    label: '.NET',
    install: 'dotnet add package Sentry',
    code: `using Sentry;\n\nSentrySdk.Init(options =>\n{\n    options.Dsn = ${double(dsn)};\n});`,
  }),
  php: (dsn) => ({
    label: 'PHP',
    install: 'composer require sentry/sentry',
    code: `\\Sentry\\init([\n    'dsn' => ${single(dsn)},\n]);`,
  }),
};

export function buildSnippet(sdk: Sdk, dsn: string): Snippet {
  return BUILDERS[sdk](dsn);
}
