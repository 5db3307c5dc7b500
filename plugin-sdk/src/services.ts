import type { PluginSurface } from './clients';
import type { PluginEvent } from './event';

/**
 * A typed reference to a host service. A plugin lists the refs it needs in `registerInit({ deps })`
 * and receives the implementations, typed, in `init`. The host maps each id onto its own container.
 */
export interface ServiceRef<T> {
  readonly id: string;
  /** Type carrier only; never set. */
  readonly T?: T;
}

export function createServiceRef<T>(options: { id: string }): ServiceRef<T> {
  return { id: options.id };
}

/** Structured logger; every line carries the plugin id. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * The plugin's own configuration, validated against its `configSchema`. `value` is the
 * installation-wide config (`PLUGIN_CONFIG_<ID>`); organizations and projects may override fields
 * through the REST API, and `forProject` gives the config in effect for one project (installation,
 * then organization, then project settings, merged field by field and validated again).
 */
export interface PluginConfig<C = unknown> {
  readonly value: C;
  forProject(projectId: string): Promise<C>;
}

/** Key-value storage in the host's database, namespaced to the plugin. Values are JSON. */
export interface KeyValueStorage {
  get<V = unknown>(key: string): Promise<V | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  /**
   * Stores `value` under `key` only when the key is not there yet; true when this call stored it.
   * Atomic across processes, so it serves as a claim (e.g. "I am creating the ticket for this issue").
   */
  setIfAbsent(key: string, value: unknown): Promise<boolean>;
  /** Keys (optionally those starting with `prefix`), sorted. */
  keys(prefix?: string): Promise<string[]>;
}

export type IssueStatus = 'unresolved' | 'resolved' | 'ignored';

export interface IssueSummary {
  id: string;
  projectId: string;
  /** Sentry-style short id, e.g. `BACKEND-3F`. */
  shortId: string;
  title: string;
  culprit: string | null;
  level: string;
  status: IssueStatus;
  assignedTo: { userId: string } | null;
  firstSeen: string;
  lastSeen: string;
  count: number;
  userCount: number;
  /** Link to the issue in Faultline's web UI / API. */
  permalink: string;
}

/** An issue in another system (a GitHub issue, a Jira ticket…) linked to a Faultline issue. */
export interface ExternalIssueLink {
  /** Stable key in that system, e.g. `github:acme/api#42`. Unique per plugin. */
  key: string;
  url: string;
  title?: string;
}

export interface IssueComment {
  id: string;
  issueId: string;
  text: string;
  userId: string | null;
  createdAt: string;
}

/**
 * Issues, as the plugin may read and change them. Changes are recorded with the surface `plugin`
 * (or the surface the plugin names, e.g. `slack` or `github` for a triage surface) and announced in
 * the change stream and to other plugins' hooks like any other change.
 */
export interface IssuesService {
  get(issueId: string): Promise<IssueSummary | undefined>;
  updateStatus(issueId: string, status: IssueStatus, options?: ChangeOptions): Promise<IssueSummary>;
  /** `userId` null unassigns. */
  assign(issueId: string, userId: string | null, options?: ChangeOptions): Promise<IssueSummary>;
  comment(issueId: string, text: string, options?: ChangeOptions): Promise<IssueComment>;
  linkExternalIssue(issueId: string, link: ExternalIssueLink): Promise<void>;
  externalIssues(issueId: string): Promise<ExternalIssueLink[]>;
  /** The issues this plugin linked to an external key (e.g. for an inbound webhook). */
  findByExternalIssue(key: string): Promise<IssueSummary[]>;
  /**
   * The issues named by a short id such as `BACKEND-3F` (case-insensitive), in any organization
   * (project slugs are unique only within one): e.g. for a commit message that says `fixes BACKEND-3F`.
   */
  findByShortId(shortId: string): Promise<IssueSummary[]>;
}

export interface ChangeOptions {
  /** Who did it, when the plugin acts for a known Faultline user. */
  actorUserId?: string | null;
  /** The surface it came through (default `plugin`). */
  surface?: PluginSurface;
  /**
   * Set by the host in an issue action's `call.changeOptions`: record the change as the action's
   * caller (their user and the surface of their credential, e.g. `web`), which `actorUserId` and
   * `surface` are then not needed for. Accepted only for the action's issue while the run lasts.
   */
  asCaller?: boolean;
}

/** Read access to stored events. */
export interface EventsService {
  get(projectId: string, eventId: string): Promise<PluginEvent | undefined>;
  /** The newest event of an issue. */
  latestForIssue(issueId: string): Promise<PluginEvent | undefined>;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Whole request, connect to last byte (default 10 s, at most 60 s). */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
}

/**
 * Outgoing HTTP with a timeout and an SSRF guard: destinations that resolve to private, loopback or
 * link-local addresses are refused (checked on the address actually connected to) unless the
 * installation allows them. Throws `PluginError` with code `destination_refused` or `http_timeout`.
 */
export interface HttpClient {
  fetch(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
}

/**
 * Jobs that run on a schedule, through the host's job queue: a scheduled task runs once per tick
 * across all Faultline processes, under a time limit, and is retried with backoff when it throws.
 */
export interface Scheduler {
  /** `cron`: five fields (minute resolution), UTC. `name`: unique within the plugin. */
  schedule(name: string, cron: string, task: () => void | Promise<void>): void;
}

/** An HTTP request to one of the plugin's routes, with the body exactly as sent (to check signatures). */
export interface PluginRequest {
  method: string;
  /** The path below `/api/0/plugins/{id}`, e.g. `/github/webhook`. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  rawBody: Buffer;
  /** This Faultline's public URL (`PUBLIC_URL`, no trailing slash): for callback URLs and links back to it. */
  publicUrl: string;
  /**
   * The person signed in to Faultline in the browser that made this request, on `GET` routes only
   * (a top-level navigation carries the session cookie; the cookie itself is never passed on). For
   * an account-connect flow: bind its state to `userId`, and record the link with
   * `linkedAccounts.linkSignedInUser(request.signedIn, …)`. Absent without a (fully) signed-in session.
   */
  signedIn?: SignedInUser;
}

/** The signed-in person of one route request. */
export interface SignedInUser {
  /** Their Faultline user id. */
  userId: string;
  /** Opaque; valid only while the host waits for this request's answer. */
  proof: string;
}

export interface PluginResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
}

/**
 * Routes mounted under `/api/0/plugins/{id}/`. They are not authenticated by Faultline: a route
 * checks its caller itself (a signature, a shared secret). Handlers run under a time limit.
 */
export interface HttpRouter {
  /** `path` is relative to the plugin's prefix, starting with `/`; an exact match. */
  handle(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    // Spelled out rather than `Awaitable` from hooks.ts, which imports this file (no import cycle).
    handler: (request: PluginRequest) => PluginResponse | Promise<PluginResponse>,
  ): void;
}

/** A Faultline person as a plugin may name them (e.g. the author of a comment it copies elsewhere). */
export interface LinkedMember {
  userId: string;
  /** The name they gave (may be empty). */
  name: string;
  email: string;
  /**
   * Their identities on the plugin's provider (the integration whose id the plugin has, e.g. `github`)
   * in the organization, oldest first: e.g. GitHub user ids. Empty when they linked none.
   */
  identities: { workspaceId: string; userId: string }[];
}

/**
 * The platform's linked accounts (docs/linked-accounts.md) as a plugin sees them: which Faultline
 * member an identity on the plugin's own provider (`github`, `slack`: the plugin whose id names the
 * integration) is linked to, and the other way round, in the organization of a project. For a plugin
 * whose id is no integration every identity list is empty and no identity is linked.
 */
export interface LinkedAccountsService {
  /** The member of the project's organization linked to the external user (in any workspace unless named). */
  findByExternalUser(
    projectId: string,
    externalUserId: string,
    options?: { workspaceId?: string },
  ): Promise<LinkedMember | undefined>;
  /** A member of the project's organization with their linked identities; undefined for a non-member. */
  member(projectId: string, userId: string): Promise<LinkedMember | undefined>;
  /**
   * Links an identity on the plugin's provider to the person signed in on a route request being
   * answered (`request.signedIn`), in `organization` (a slug), as they would confirm a link request:
   * only for themselves, only where they are a member, and an identity linked to someone else stays
   * theirs. Linking what is already theirs changes nothing. Throws `PluginError` with code
   * `not_signed_in` (no live signed-in request), `not_an_integration`, `organization_not_found`,
   * `not_a_member`, `identity_linked_elsewhere` or `invalid_external_id`.
   */
  linkSignedInUser(signedIn: SignedInUser | undefined, link: IdentityToLink): Promise<LinkedIdentity>;
}

/** What `linkSignedInUser` links: an identity on the plugin's provider, in an organization. */
export interface IdentityToLink {
  /** The organization's slug. */
  organization: string;
  /** Where `externalUserId` is unique (a Slack team id; for GitHub, the GitHub host or organization). */
  workspaceId: string;
  externalUserId: string;
}

/** A link as recorded: the identity and the Faultline user it acts as. */
export interface LinkedIdentity extends IdentityToLink {
  userId: string;
}

/** A workspace of the plugin's provider installed through the provider's OAuth flow. */
export interface InstalledWorkspace {
  /** The provider's id of the workspace (Slack: the team, or the enterprise of an org-wide install). */
  workspaceId: string;
  /** The token the provider gave the installation to act in the workspace (Slack: its bot token). */
  botToken: string | undefined;
}

/**
 * The workspaces installed through the provider's OAuth flow (e.g. the Slack app's install page) in
 * the organization of a project, for a plugin that is an integration (its id `github` or `slack`:
 * it sees only that provider's installations). Lets the plugin act in the workspace with the
 * installation's own token; for another plugin the list is always empty.
 */
export interface InstallationsService {
  /** The installed workspaces of the project's organization, oldest first. */
  forProject(projectId: string): Promise<InstalledWorkspace[]>;
}

/** The services the host provides, by id. */
export const coreServices = {
  logger: createServiceRef<Logger>({ id: 'core.logger' }),
  config: createServiceRef<PluginConfig>({ id: 'core.config' }),
  storage: createServiceRef<KeyValueStorage>({ id: 'core.storage' }),
  issues: createServiceRef<IssuesService>({ id: 'core.issues' }),
  events: createServiceRef<EventsService>({ id: 'core.events' }),
  http: createServiceRef<HttpClient>({ id: 'core.http' }),
  scheduler: createServiceRef<Scheduler>({ id: 'core.scheduler' }),
  httpRouter: createServiceRef<HttpRouter>({ id: 'core.httpRouter' }),
  linkedAccounts: createServiceRef<LinkedAccountsService>({ id: 'core.linkedAccounts' }),
  installations: createServiceRef<InstallationsService>({ id: 'core.installations' }),
} as const;
