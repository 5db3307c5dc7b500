import {
  createFaultlineClient,
  FaultlineApiError,
  CursorExpiredError,
  ok,
  openChangeStream,
  parseLinkHeader,
  type ChangeStream,
  type components,
  type FaultlineClient,
} from '@faultline/api-client';
import type { ConnectionState, ServerSettings } from '../shared/protocol';
import { matchProjects, type ProjectChoice } from './project-match';

export type CodeLocation = components['schemas']['CodeLocation'];

const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'] as const;
/** With `showResolved`; otherwise the route's default, unresolved only. */
const STATUSES_SHOWN: ('unresolved' | 'resolved')[] = ['unresolved', 'resolved'];
/** Issues per page of the initial sync: 5,000 issues in five requests. */
const SYNC_PAGE = 1000;
/** Issue ids per refetch request (keeps the query string short). */
const REFETCH_CHUNK = 100;
/** Changes arriving this close together are refetched in one request. */
const REFETCH_DELAY_MS = 50;
/** How long the initial sync waits for the change stream to open before going ahead anyway. */
const STREAM_OPEN_WAIT_MS = 5000;

export interface SyncListener {
  /** These issues were added, changed or removed (absent from `locations`). */
  changed(issueIds: string[]): void;
  state(state: ConnectionState, detail?: string): void;
  /** A line for the extension's output channel. */
  log(message: string): void;
  authFailed(): void;
}

/**
 * Keeps every matching issue's code location: pages through them once, then follows the change
 * stream and refetches only the issues a change names (in batches). The stream's client reconnects
 * with backoff; this reports the connection state and never throws at the editor.
 */
export class IssueSync {
  readonly locations = new Map<string, CodeLocation>();
  readonly client: FaultlineClient;
  private stream: ChangeStream | undefined;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private synced = false;
  private streamOpened: (() => void) | undefined;
  private me: string | undefined;
  private projectChoice: ProjectChoice = { ids: [], detail: '', requests: 0 };

  constructor(
    private readonly settings: ServerSettings & { token: string },
    private readonly listener: SyncListener,
    /** What the workspace is called, to match projects by when none is configured. */
    private readonly workspaceNames: string[] = [],
  ) {
    this.client = createFaultlineClient({ baseUrl: settings.serverUrl, token: settings.token });
  }

  /**
   * Opens the change stream first and syncs once it is open, so a change committed while the pages
   * are read is not lost: it waits in `pending` and is refetched after the sync.
   */
  async start(): Promise<void> {
    this.listener.state('connecting');
    if (!(await this.retrying(() => this.chooseProjects()))) return;
    const opened = new Promise<void>((resolve) => {
      this.streamOpened = resolve;
      setTimeout(resolve, STREAM_OPEN_WAIT_MS);
    });
    void this.follow();
    await opened;
    const started = Date.now();
    let pages = 0;
    if (!(await this.retrying(async () => void (pages = await this.initialSync())))) return;
    // Says what the sync cost, for people wondering and for bench:vscode.
    this.listener.log(
      `initial sync: ${this.locations.size} issues in ${pages + this.projectChoice.requests} requests ` +
        `(${pages} of code locations, ${this.projectChoice.requests} listing projects), ${Date.now() - started} ms`,
    );
    this.synced = true;
    this.listener.state('connected', this.projectChoice.detail);
    if (this.pending.size > 0) await this.flush();
  }

  /**
   * Runs `step` until it succeeds: an unreachable server is retried with growing waits (1 s
   * doubling to 30 s) while the status bar says disconnected, without pop-ups. False when stopped
   * or the token was refused.
   */
  private async retrying(step: () => Promise<void>): Promise<boolean> {
    for (let waitMs = 1000; !this.stopped; waitMs = Math.min(waitMs * 2, 30_000)) {
      try {
        await step();
        return !this.stopped;
      } catch (error) {
        if (this.handleRefusal(error)) return false;
        this.listener.state('disconnected', describe(error));
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
    return false;
  }

  /** The configured projects, else those named like the workspace (see project-match.ts). */
  private async chooseProjects(): Promise<void> {
    const { projects, organization } = this.settings;
    this.projectChoice =
      projects.length > 0
        ? { ids: projects, detail: `projects ${projects.join(', ')} (configured)`, requests: 0 }
        : await matchProjects(this.client, organization, this.workspaceNames);
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
    clearTimeout(this.timer);
  }

  /** Fetches these issues again now (after a change made here), not waiting for the stream. */
  async refresh(issueIds: string[]): Promise<void> {
    for (const id of issueIds) this.pending.add(id);
    await this.flush();
  }

  /** Changes an issue (recorded through this token's client, `vscode`), then refetches it. */
  async update(
    issueId: string,
    body: { status?: 'resolved' | 'unresolved' | 'ignored'; assignedTo?: string },
  ) {
    await ok(this.client.PUT('/api/0/issues/{issue}/', { params: { path: { issue: issueId } }, body }));
    await this.refresh([issueId]);
  }

  async myAssignee(): Promise<string> {
    this.me ??= `user:${(await ok(this.client.GET('/api/0/users/me/'))).id}`;
    return this.me;
  }

  /** One issue's location whatever its status (for `vscode://` links to issues not listed). */
  async fetchOne(issueId: string): Promise<CodeLocation | undefined> {
    if (!/^\d+$/.test(issueId)) return undefined;
    const [location] = await this.page({
      id: [Number(issueId)],
      status: ['unresolved', 'resolved', 'ignored'],
    });
    return location;
  }

  private query() {
    const minimum = LEVELS.indexOf(this.settings.minimumLevel);
    return {
      project: this.projectChoice.ids,
      environment: this.settings.environments,
      level: minimum <= 0 ? [] : LEVELS.slice(minimum),
      status: this.settings.showResolved ? STATUSES_SHOWN : [],
    };
  }

  private async page(extra: {
    id?: number[];
    status?: ('unresolved' | 'resolved' | 'ignored')[];
    cursor?: string;
  }) {
    const answer = await this.client.GET('/api/0/organizations/{organization}/code-locations/', {
      params: {
        path: { organization: this.settings.organization },
        query: { ...this.query(), limit: SYNC_PAGE, ...extra },
      },
    });
    const rows = await ok(answer);
    return Object.assign(rows, { link: answer.response.headers.get('link') });
  }

  /** Reads every matching issue's location, page after page; returns how many pages it took. */
  private async initialSync(): Promise<number> {
    const seen = new Map<string, CodeLocation>();
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const rows = await this.page(cursor === undefined ? {} : { cursor });
      pages++;
      for (const row of rows) seen.set(row.issueId, row);
      const next = rows.link ? parseLinkHeader(rows.link).next : undefined;
      if (!next?.results) break;
      cursor = next.cursor;
    }
    const changed = new Set([...this.locations.keys(), ...seen.keys()]);
    this.locations.clear();
    for (const [id, row] of seen) this.locations.set(id, row);
    this.listener.changed([...changed]);
    return pages;
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      this.stream = openChangeStream({
        baseUrl: this.settings.serverUrl,
        token: this.settings.token,
        organization: this.settings.organization,
        projects: this.projectChoice.ids,
        lastEventId: this.stream?.lastEventId,
        onReconnect: ({ reason }) => this.listener.state('disconnected', describe(reason)),
        // The stream starts at the changes after the moment it is answered: tell the sync it may go.
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (response.ok) {
            this.streamOpened?.();
            if (this.synced) this.listener.state('connected', this.projectChoice.detail);
          }
          return response;
        },
      });
      try {
        for await (const change of this.stream) {
          if (
            change.kind === 'commented' ||
            change.kind === 'comment_edited' ||
            change.kind === 'comment_deleted'
          )
            continue;
          this.pending.add(change.issueId);
          if (this.synced) this.timer ??= setTimeout(() => void this.flush(), REFETCH_DELAY_MS);
        }
        return;
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof CursorExpiredError) {
          // Changes were missed past retention: start over from a full sync.
          this.stream = undefined;
          await this.initialSync().catch(() => undefined);
          continue;
        }
        if (this.handleRefusal(error)) return;
        this.listener.state('disconnected', describe(error));
        return;
      }
    }
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = [...this.pending];
    this.pending.clear();
    for (let i = 0; i < ids.length; i += REFETCH_CHUNK) {
      const chunk = ids.slice(i, i + REFETCH_CHUNK);
      try {
        const rows = await this.page({ id: chunk.map(Number) });
        const found = new Map(rows.map((row) => [row.issueId, row]));
        for (const id of chunk) {
          const row = found.get(id);
          if (row) this.locations.set(id, row);
          else this.locations.delete(id);
        }
        this.listener.changed(chunk);
      } catch (error) {
        if (this.handleRefusal(error)) return;
        for (const id of chunk) this.pending.add(id); // Retried with the next change.
      }
    }
  }

  /** A refused token stops everything until the person signs in again; true when it was that. */
  private handleRefusal(error: unknown): boolean {
    if (!(error instanceof FaultlineApiError) || error.status !== 401) return false;
    this.stop();
    this.listener.state('signed-out', 'the token was refused');
    this.listener.authFailed();
    return true;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
