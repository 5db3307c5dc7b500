import type { Authorize } from '@slack/bolt';
import { WebClient } from '@slack/web-api';

/** Who the bot is in its workspace, as `auth.test` says. */
export interface BotIdentity {
  team: string;
  botId: string;
  botUserId: string;
}

/**
 * The bot of the workspace the settings name: its Web API client, and who it is once Slack has
 * answered. Slack being unreachable when the app starts must not stop it (inside `faultline start`
 * it would stop Faultline), so `auth.test` is asked on demand and only a success is remembered,
 * unlike Bolt's own token check, which runs once in its constructor and keeps a failure for good.
 */
export class Bot {
  /** For card updates and thread replies: retries 429s and failures as @slack/web-api does. */
  readonly client: WebClient;
  /** For `auth.test` alone: fails at once, so the caller decides how to wait and what to log. */
  private readonly probe: WebClient;
  private identity: Promise<BotIdentity> | undefined;

  constructor(
    readonly token: string,
    slackApiUrl: string,
  ) {
    this.client = new WebClient(token, { slackApiUrl });
    this.probe = new WebClient(token, { slackApiUrl, retryConfig: { retries: 0 } });
  }

  /** `auth.test`, once it has succeeded; a failure is forgotten so the next call asks again. */
  whoAmI(): Promise<BotIdentity> {
    this.identity ??= this.probe.auth.test().then(
      (auth) => ({ team: String(auth.team_id), botId: String(auth.bot_id), botUserId: String(auth.user_id) }),
      (error: unknown) => {
        this.identity = undefined;
        throw error;
      },
    );
    return this.identity;
  }

  /** Bolt's `authorize`: this bot's token and identity for every request. */
  readonly authorize: Authorize<boolean> = async () => {
    const { botId, botUserId, team } = await this.whoAmI();
    return { botToken: this.token, botId, botUserId, teamId: team };
  };
}
