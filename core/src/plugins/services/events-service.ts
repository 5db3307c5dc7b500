import type { Knex } from 'knex';
import type { EventsService, PluginEvent } from '@faultline/plugin-sdk';
import { jsonColumn } from '../../db';
import { parseEventId } from '../../events';
import { findIssueEdgeEvent, findProjectEvent, type EventRow } from '../../issues';
import { hookTransaction } from '../storage';
import { parseId } from './ids';

/** What grouping added to the stored event for the host's own use; not part of the event. */
const HOST_FIELDS = ['hashes', 'grouping_config'];

/**
 * A stored event in the shape `processEvent` sees: the normalized event the pipeline stored (Sentry's
 * field names, plus the title, type and metadata grouping derived), without the host's grouping data.
 */
export function pluginEventOf(row: EventRow): PluginEvent {
  const data = jsonColumn<Record<string, unknown>>(row.data);
  const event = Object.fromEntries(Object.entries(data).filter(([key]) => !HOST_FIELDS.includes(key)));
  return {
    ...event,
    event_id: row.event_id,
    timestamp: typeof data.timestamp === 'number' ? data.timestamp : new Date(row.timestamp).getTime() / 1000,
    platform: typeof data.platform === 'string' ? data.platform : 'other',
  } as PluginEvent;
}

/** `coreServices.events`: read access to stored events, by project and event id or an issue's newest. */
export class PluginEventsService implements EventsService {
  constructor(private readonly root: Knex) {}

  private get knex(): Knex {
    return hookTransaction.getStore() ?? this.root;
  }

  async get(projectId: string, eventId: string): Promise<PluginEvent | undefined> {
    const project = parseId(projectId);
    // Plugins (and SDKs) also write event ids as dashed UUIDs or in capitals.
    const id = parseEventId(eventId);
    if (project === undefined || id === undefined) return undefined;
    const row = await findProjectEvent(this.knex, project, id);
    return row && pluginEventOf(row);
  }

  async latestForIssue(issueId: string): Promise<PluginEvent | undefined> {
    const issue = parseId(issueId);
    if (issue === undefined) return undefined;
    const row = await findIssueEdgeEvent(this.knex, issue, 'latest');
    return row && pluginEventOf(row);
  }
}
