import { installationOnly, secret, z } from '@faultline/plugin-sdk';

/** `owner/name`, as GitHub spells a repository in its URLs. */
const repositoryName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a repository as owner/name, e.g. acme/api');

/**
 * Where a stack frame's file lives in the repository: a frame whose path starts with `stackRoot`
 * (as the SDK reported it, e.g. `/srv/app/` or `app:///`) is `sourceRoot` + the rest of its path
 * on `branch` (used when the event's release is not a commit).
 */
export const codeMappingSchema = z.strictObject({
  stackRoot: z.string().min(1),
  sourceRoot: z.string().default(''),
  branch: z.string().min(1).default('main'),
});

/** Each direction of the two-way sync can be turned off per connection. */
export const syncSchema = z
  .strictObject({
    /** GitHub closed/reopened → Faultline resolved/unresolved. */
    statusFromGitHub: z.boolean().default(true),
    /** Faultline resolved → GitHub closed; regressed → reopened with a comment. */
    statusToGitHub: z.boolean().default(true),
    /** Faultline comments → GitHub comments, quoted with their author. */
    commentsToGitHub: z.boolean().default(true),
    /** GitHub comments → Faultline comments, quoted with their author. */
    commentsFromGitHub: z.boolean().default(true),
    /** GitHub assignee → Faultline assignee: the Faultline member the GitHub user linked their account to. */
    assigneesFromGitHub: z.boolean().default(true),
    /** Faultline assignee → GitHub assignee: the GitHub account the member linked. */
    assigneesToGitHub: z.boolean().default(true),
    /** `fixes SHORT-ID` in a pushed commit's message resolves the issue. */
    resolveByCommit: z.boolean().default(true),
  })
  .prefault({});

/** One repository connected to a project (set per project through the project's plugin settings). */
export const connectionSchema = z.strictObject({
  repository: repositoryName,
  codeMappings: z.array(codeMappingSchema).default([]),
  sync: syncSchema,
  /** Labels put on the issues Faultline creates there. */
  labels: z.array(z.string().min(1)).default([]),
});

/** A GitHub App installation: the app's id and private key; installation tokens are minted from them. */
const appSchema = z.strictObject({
  appId: z.union([z.string().min(1), z.number().int().positive()]),
  installationId: z.union([z.string().min(1), z.number().int().positive()]),
});

export const configSchema = z
  .object({
    /** GitHub's REST API, e.g. `https://github.example.com/api/v3` for GitHub Enterprise Server. */
    baseUrl: installationOnly(z.url({ protocol: /^https?$/ }).default('https://api.github.com')),
    /** A fine-grained personal access token (the simple alternative to an App). */
    token: secret(z.string().min(1)).optional(),
    app: appSchema.optional(),
    /** The App's private key (PEM). Secret: stored encrypted, never shown. */
    privateKey: secret(z.string().min(1)).optional(),
    /**
     * Checks `X-Hub-Signature-256` of incoming webhooks. The webhook endpoint is one per installation
     * and learns the project only from a verified payload, so only the installation config sets it.
     */
    webhookSecret: installationOnly(secret(z.string().min(8))).optional(),
    /** A second secret accepted while the webhook's secret is being rotated. */
    previousWebhookSecret: installationOnly(secret(z.string().min(8))).optional(),
    /**
     * Without a webhook (GitHub can't reach this server), the plugin polls the linked issues and the
     * connected repositories' commits every minute instead. Whether GitHub can reach the server is the
     * installation's matter, and the poll is scheduled only when this is on, so only the installation
     * config sets it.
     */
    polling: installationOnly(z.boolean()).default(false),
    /**
     * "Connect GitHub": the client id of the OAuth app (or of the GitHub App, whose user authorization
     * is the same web flow) people authorize to link their GitHub account. One per GitHub host, so
     * only the installation config sets it.
     */
    oauthClientId: installationOnly(z.string().min(1)).optional(),
    /** That client's secret: stored encrypted, never shown. */
    oauthClientSecret: installationOnly(secret(z.string().min(1))).optional(),
    connections: z.array(connectionSchema).default([]),
  })
  .refine((c) => !(c.app && !c.privateKey), {
    message: 'a GitHub App (app) needs its privateKey',
    path: ['privateKey'],
  })
  .refine((c) => !c.oauthClientId === !c.oauthClientSecret, {
    message: 'oauthClientId and oauthClientSecret go together',
    path: ['oauthClientSecret'],
  });

/** The alert action's config in a rule: which connected repository gets the issues (default: the first). */
export const actionConfigSchema = z.strictObject({
  repository: repositoryName.optional(),
  labels: z.array(z.string().min(1)).optional(),
});

export type GitHubConfig = z.output<typeof configSchema>;
export type Connection = z.output<typeof connectionSchema>;
export type CodeMapping = z.output<typeof codeMappingSchema>;
export type ActionConfig = z.output<typeof actionConfigSchema>;

/** The connection of `repository` (case-insensitive, as GitHub treats names), if the project has one. */
export function connectionOf(config: GitHubConfig, repository: string): Connection | undefined {
  const wanted = repository.toLowerCase();
  return config.connections.find((c) => c.repository.toLowerCase() === wanted);
}
