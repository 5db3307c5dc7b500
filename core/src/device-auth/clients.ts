import type { Scope } from '../access';
import type { USER_TOKEN_CLIENTS } from '../tokens';

/**
 * The clients that may sign in with a device code, by their OAuth `client_id`. They are public
 * clients (RFC 6749 §2.1: an editor or a terminal can't keep a secret), so the id names the
 * client rather than proving it; what stops a stranger is the person approving on our page.
 */
export interface DeviceClient {
  /** The OAuth `client_id`. */
  id: string;
  /** Shown on the approval page, so the person knows what they let in. */
  name: string;
  /** The client recorded on the token it receives, and so the surface of every change made with it. */
  credentialClient: (typeof USER_TOKEN_CLIENTS)[number];
  /** What it gets when the request names no `scope` (RFC 6749 §3.3 lets the server pick). */
  defaultScopes: readonly Scope[];
}

/** Reading issues and events, resolving, assigning and commenting: what an editor or a script needs day to day. */
const EVERYDAY_SCOPES: readonly Scope[] = [
  'org:read',
  'project:read',
  'team:read',
  'member:read',
  'event:read',
  'event:write',
];

export const DEVICE_CLIENTS: readonly DeviceClient[] = [
  { id: 'vscode', name: 'Faultline for VS Code', credentialClient: 'vscode', defaultScopes: EVERYDAY_SCOPES },
  // A command line tool or a script: its token is a person's own token, like one they create.
  { id: 'cli', name: 'A command line tool', credentialClient: 'api', defaultScopes: EVERYDAY_SCOPES },
];

export function findDeviceClient(clientId: string | undefined): DeviceClient | undefined {
  return DEVICE_CLIENTS.find((client) => client.id === clientId);
}
