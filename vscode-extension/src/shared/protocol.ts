/**
 * What the extension's client and its language server say to each other beyond LSP itself. The
 * client owns what needs VS Code (settings, SecretStorage, the browser); the server owns Faultline.
 */

/** A configured code mapping, as Sentry's: frames under `stackRoot` live under `folder`. */
export interface PathMapping {
  stackRoot: string;
  /** An absolute path, or one relative to the first workspace folder. */
  folder: string;
}

export interface ServerSettings {
  /** Where Faultline answers; empty: not configured. */
  serverUrl: string;
  /** Undefined: not signed in. */
  token?: string;
  organization: string;
  /** Project ids; empty: those named like the workspace, else every project the token sees. */
  projects: number[];
  environments: string[];
  minimumLevel: 'debug' | 'info' | 'warning' | 'error' | 'fatal';
  pathMappings: PathMapping[];
  /**
   * Also show resolved issues (as hints, with Unresolve). Faultline has no "resolved in the next
   * release" status to narrow this to, so it is every resolved issue.
   */
  showResolved: boolean;
}

export const SETTINGS_DEFAULTS: Omit<ServerSettings, 'token'> = {
  serverUrl: '',
  organization: '',
  projects: [],
  environments: [],
  minimumLevel: 'debug',
  pathMappings: [],
  showResolved: false,
};

/** Client → server: the settings changed, or a token was stored or removed. */
export const CONFIGURE = 'faultline/configure';

export type ConnectionState = 'signed-out' | 'connecting' | 'connected' | 'disconnected';

/** Server → client: what the status bar shows. */
export const STATUS = 'faultline/status';
export interface StatusParams {
  state: ConnectionState;
  /** Issues placed on a line of the workspace. */
  count: number;
  detail?: string;
}

/** Server → client, once per token: the server refused it (revoked or expired). */
export const AUTH_FAILED = 'faultline/authFailed';

/** Client → server: the issues placed in the workspace, for the Issues view. */
export const LIST_ISSUES = 'faultline/issues';
export interface PlacedIssue {
  issueId: string;
  shortId: string;
  title: string;
  level: string;
  lastSeen: string;
  permalink: string;
  uri: string;
  /** Zero-based. */
  line: number;
}

/** Client → server: where an issue is placed (fetched when not yet known), for `vscode://` links. */
export const LOCATE_ISSUE = 'faultline/locate';
export interface LocateParams {
  issueId: string;
}

/** Commands the server runs (Faultline changes recorded through the `vscode` client's token). */
export const SERVER_COMMANDS = {
  resolve: 'faultline.issue.resolve',
  archive: 'faultline.issue.archive',
  unresolve: 'faultline.issue.unresolve',
  assignToMe: 'faultline.issue.assignToMe',
} as const;

/** Commands the client runs (they need the browser or the clipboard); argument: the permalink. */
export const CLIENT_COMMANDS = {
  openInBrowser: 'faultline.issue.openInBrowser',
  copyLink: 'faultline.issue.copyLink',
} as const;
