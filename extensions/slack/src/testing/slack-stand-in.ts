import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockKitProblems } from './block-kit-check';

type Json = Record<string, unknown>;

/** One Web API call as the stand-in received it: the method, the bearer token and the arguments. */
export interface RecordedCall {
  method: string;
  token: string | undefined;
  args: Json;
  /** What the stand-in answered. */
  answer: Json;
  status: number;
}

/** The arguments each method needs (Slack's reference); a call without one answers `invalid_arguments`. */
const REQUIRED: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['channel'],
  'chat.update': ['channel', 'ts'],
  'chat.postEphemeral': ['channel', 'user'],
  'chat.getPermalink': ['channel', 'message_ts'],
  'chat.unfurl': ['channel', 'ts', 'unfurls'],
  'views.open': ['trigger_id', 'view'],
  'views.publish': ['user_id', 'view'],
  'apps.connections.open': [],
  'oauth.v2.access': ['client_id', 'client_secret', 'code'],
};

/**
 * A workspace that installs the app through the OAuth flow: Slack sends the browser back with
 * `code`, which `oauth.v2.access` exchanges for the workspace's bot `token`.
 */
export interface StandInInstall {
  code: string;
  team: string;
  token: string;
}

/** Arguments Slack sends as JSON inside a form body. */
const JSON_ARGS = ['blocks', 'attachments', 'view', 'unfurls'];

export interface SlackStandIn {
  /** The Web API base URL, ending in `/` (`SLACK_API_URL`). */
  url: string;
  /** A response URL to give in requests (`response_url`); what is posted there is recorded as `response_url`. */
  responseUrl: string;
  calls: RecordedCall[];
  /** The calls of one method that Slack would have accepted. */
  accepted(method: string): RecordedCall[];
  /** Answers the next `count` calls of `method` with 429 and `Retry-After: seconds`. */
  rateLimit(method: string, seconds: number, count?: number): void;
  /** What `apps.connections.open` answers (the Socket Mode WebSocket URL). */
  socketUrl?: string;
  close(): Promise<void>;
}

/**
 * A local stand-in for Slack's Web API on loopback: records every call, checks the token, each
 * method's required arguments and the Block Kit limits of `blocks` (refusing as Slack would), and
 * answers like Slack (`ok`, `ts`, `channel`, `permalink`, `team_id`). Messages get increasing
 * timestamps, so each post is told apart.
 */
export async function startSlackStandIn(
  /**
   * `port`: where to listen (default: any free one), e.g. where an app was told Slack is.
   * `oauth`: the app's client id and secret, and the workspaces that install it; their tokens are
   * accepted too, and `auth.test` with one answers its workspace.
   */
  options: {
    token?: string | string[];
    team?: string;
    port?: number;
    oauth?: { clientId: string; clientSecret: string; installs: StandInInstall[] };
  } = {},
): Promise<SlackStandIn> {
  const installs = options.oauth?.installs ?? [];
  const tokens =
    options.token === undefined ? undefined : [...[options.token].flat(), ...installs.map((i) => i.token)];
  const defaultTeam = options.team ?? 'T0STANDIN';
  const calls: RecordedCall[] = [];
  const limited = new Map<string, { seconds: number; count: number }>();
  const clock = 1_700_000_000;
  let sequence = 0;
  const nextTs = () => `${clock + ++sequence}.${String(sequence).padStart(6, '0')}`;

  function answer(method: string, token: string | undefined, args: Json): Json {
    // The code exchange authenticates with the app's client id and secret, not a token.
    if (method === 'oauth.v2.access') return exchange(args);
    if (tokens !== undefined && !tokens.includes(String(token))) return { ok: false, error: 'invalid_auth' };
    const team = installs.find((install) => install.token === token)?.team ?? defaultTeam;
    const required = REQUIRED[method];
    if (required === undefined) return { ok: false, error: 'unknown_method' };
    const missing = required.filter((name) => args[name] === undefined || args[name] === '');
    if (missing.length > 0)
      return {
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: missing.map((m) => `missing ${m}`) },
      };
    if (args.blocks !== undefined) {
      const problems = blockKitProblems(args.blocks);
      if (problems.length > 0)
        return { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } };
    }
    if (
      (method === 'chat.postMessage' || method === 'chat.update') &&
      args.text === undefined &&
      args.blocks === undefined
    )
      return { ok: false, error: 'no_text' };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          team_id: team,
          user_id: 'UBOT',
          bot_id: 'BBOT',
          team: 'Stand-in',
          url: 'https://standin.slack.com/',
        };
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: nextTs(), message: { text: args.text, team } };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: args.channel,
          permalink: `https://standin.slack.com/archives/${String(args.channel)}/p${String(args.message_ts).replace('.', '')}`,
        };
      case 'apps.connections.open':
        return stand.socketUrl
          ? { ok: true, url: stand.socketUrl }
          : { ok: false, error: 'not_allowed_token_type' };
      default:
        return { ok: true };
    }
  }

  function exchange(args: Json): Json {
    if (args.client_id !== options.oauth?.clientId || args.client_secret !== options.oauth?.clientSecret)
      return { ok: false, error: 'invalid_client_id' };
    const install = installs.find((i) => i.code === args.code);
    if (!install) return { ok: false, error: 'invalid_code' };
    return {
      ok: true,
      app_id: 'A0FAULTLINE',
      authed_user: { id: 'U0INSTALLER' },
      scope: 'chat:write,commands',
      token_type: 'bot',
      access_token: install.token,
      bot_user_id: 'UBOT',
      team: { id: install.team, name: `Workspace ${install.team}` },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (req.url?.startsWith('/respond/')) {
        // A response URL (slash commands, interactions): what Bolt's respond() posts, as JSON.
        const answer = { ok: true };
        calls.push({
          method: 'response_url',
          token: undefined,
          args: JSON.parse(body) as Json,
          answer,
          status: 200,
        });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      const method = (req.url ?? '').replace(/^\/api\//, '').replace(/\?.*$/, '');
      const args: Json = {};
      if (String(req.headers['content-type']).includes('json'))
        Object.assign(args, body ? (JSON.parse(body) as Json) : {});
      else
        for (const [name, value] of new URLSearchParams(body)) {
          args[name] = JSON_ARGS.includes(name) ? (JSON.parse(value) as unknown) : value;
        }
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (args.token as string | undefined);
      delete args.token;
      const limit = limited.get(method);
      if (limit && limit.count > 0) {
        limit.count -= 1;
        const refused = { ok: false, error: 'ratelimited' };
        calls.push({ method, token, args, answer: refused, status: 429 });
        res
          .writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(limit.seconds) })
          .end(JSON.stringify(refused));
        return;
      }
      const answered = answer(method, token, args);
      calls.push({ method, token, args, answer: answered, status: 200 });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answered));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stand: SlackStandIn = {
    url: `http://127.0.0.1:${port}/api/`,
    responseUrl: `http://127.0.0.1:${port}/respond/1`,
    calls,
    accepted: (method) => calls.filter((call) => call.method === method && call.answer.ok === true),
    rateLimit(method, seconds, count = 1) {
      limited.set(method, { seconds, count });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return stand;
}
