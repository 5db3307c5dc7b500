import {
  createFaultlineClient,
  FaultlineApiError,
  ok,
  type FaultlineClient,
  type Schema,
} from '@faultline/api-client';
import { parseCardKey, type PostedCard } from '@faultline/extension-slack';

/** The header an integration's token names the Slack user it acts for with (docs/linked-accounts.md). */
const ACT_AS_HEADER = 'X-Faultline-Act-As';

/** What the card shows of an issue: the fields the issue list and the issue details both have. */
export type Issue = Pick<
  Schema<'Issue'>,
  | 'id'
  | 'shortId'
  | 'title'
  | 'culprit'
  | 'permalink'
  | 'level'
  | 'status'
  | 'metadata'
  | 'assignedTo'
  | 'count'
  | 'userCount'
  | 'firstSeen'
  | 'lastSeen'
>;

/** A Slack user in a workspace: who clicked, typed or opened. */
export interface SlackUser {
  team: string;
  user: string;
}

/**
 * Faultline as the Slack app sees it: the generated client with the app's organization token
 * (client `slack`), as itself for reading and as the linked person for anything a person does.
 */
export class Faultline {
  readonly app: FaultlineClient;

  constructor(private readonly options: { baseUrl: string; token: string; organization: string }) {
    this.app = createFaultlineClient({ baseUrl: options.baseUrl, token: options.token });
  }

  get organization(): string {
    return this.options.organization;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  get token(): string {
    return this.options.token;
  }

  /**
   * The client acting as the Faultline user linked to this Slack user: their role and teams decide,
   * and what they change is recorded as them through `slack`. Unlinked: 403 `account_not_linked`.
   */
  as(who: SlackUser): FaultlineClient {
    const client = createFaultlineClient({ baseUrl: this.options.baseUrl, token: this.options.token });
    client.use({
      onRequest({ request }) {
        request.headers.set(ACT_AS_HEADER, `${who.team}:${who.user}`);
        return request;
      },
    });
    return client;
  }

  async issue(id: string): Promise<Issue> {
    return ok(this.app.GET('/api/0/issues/{issue}/', { params: { path: { issue: id } } }));
  }

  /** The cards the Slack plugin posted of an issue (recorded as its external issues). */
  async cards(issueId: string): Promise<PostedCard[]> {
    const links = await ok(
      this.app.GET('/api/0/issues/{issue}/external-issues/', { params: { path: { issue: issueId } } }),
    );
    return links
      .filter((link) => link.plugin === 'slack')
      .map((link) => parseCardKey(link.key))
      .filter((card): card is PostedCard => card !== undefined);
  }

  /** Where card sync is in the organization's change stream, kept in Faultline (undefined: not yet). */
  async cursor(): Promise<string | undefined> {
    const answer = await ok(
      this.app.GET('/api/0/organizations/{organization}/integration-cursor/', {
        params: { path: { organization: this.options.organization } },
      }),
    );
    return answer.cursor ?? undefined;
  }

  /** Saves the change stream event id card sync finished with, to resume after it on a restart. */
  async saveCursor(cursor: string): Promise<void> {
    await ok(
      this.app.PUT('/api/0/organizations/{organization}/integration-cursor/', {
        params: { path: { organization: this.options.organization } },
        body: { cursor },
      }),
    );
  }

  /** The installation of a workspace, kept in Faultline (undefined: not installed here). */
  async installation(workspace: string): Promise<Record<string, unknown> | undefined> {
    try {
      const found = await ok(
        this.app.GET('/api/0/organizations/{organization}/integration-installations/{workspace}/', {
          params: { path: { organization: this.options.organization, workspace } },
        }),
      );
      return found.installation;
    } catch (error) {
      if (error instanceof FaultlineApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Saves a workspace's installation (sealed by Faultline), connecting it to the organization. */
  async saveInstallation(workspace: string, installation: Record<string, unknown>): Promise<void> {
    await ok(
      this.app.PUT('/api/0/organizations/{organization}/integration-installations/{workspace}/', {
        params: { path: { organization: this.options.organization, workspace } },
        body: { installation },
      }),
    );
  }

  async deleteInstallation(workspace: string): Promise<void> {
    await ok(
      this.app.DELETE('/api/0/organizations/{organization}/integration-installations/{workspace}/', {
        params: { path: { organization: this.options.organization, workspace } },
      }),
    );
  }

  /** A single-use link (10 minutes) the Slack user opens, signed in to Faultline, to link their account. */
  async linkUrl(who: SlackUser): Promise<string> {
    const answer = await ok(
      this.app.POST('/api/0/organizations/{organization}/external-identities/link-requests/', {
        params: { path: { organization: this.options.organization } },
        body: { externalWorkspaceId: who.team, externalUserId: who.user },
      }),
    );
    return answer.url;
  }
}

/** Whether an API error says the Slack user has no linked Faultline account. */
export function isNotLinked(error: unknown): boolean {
  return error instanceof FaultlineApiError && error.code === 'account_not_linked';
}
