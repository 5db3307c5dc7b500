import { ok, type FaultlineClient } from '@faultline/api-client';
import type { CodeLocation } from './issue-sync';
import type { CodeFrame } from './locate';

/**
 * What a hover shows beyond the synced code locations, read from the API when the hover is asked
 * for: the sync stays a few paged requests for thousands of issues, and only hovered issues cost
 * more.
 */

/** The issue's most common value of each tag, e.g. "`browser`: Chrome 120 (80%)". */
export async function topTags(client: FaultlineClient, issueId: string, limit = 6): Promise<string[]> {
  const keys = await ok(client.GET('/api/0/issues/{issue}/tags/', { params: { path: { issue: issueId } } }));
  return keys.slice(0, limit).flatMap((key) => {
    const top = key.topValues[0];
    if (!top) return [];
    const share = key.totalValues > 0 ? Math.round((top.count / key.totalValues) * 100) : 0;
    return [`\`${key.key}\`: ${top.value} (${share}%)`];
  });
}

/** How a frame is recognised in both the code location and the event detail (same event). */
export const frameKey = (
  frame: Pick<CodeFrame, 'absPath' | 'filename'> & { lineNo: number | null },
): string => `${frame.absPath ?? frame.filename ?? ''}:${frame.lineNo ?? ''}`;

/**
 * The `sourceLink` a plugin (e.g. GitHub's code mappings) gave each in-app frame of the issue's
 * latest event, by `frameKey`. Only the event detail carries them: plugins are asked per event, not
 * for the thousands of issues of a sync.
 */
export async function sourceLinks(
  client: FaultlineClient,
  location: CodeLocation,
): Promise<Map<string, string>> {
  const event = await ok(
    client.GET('/api/0/issues/{issue}/events/{event}/', {
      params: { path: { issue: location.issueId, event: location.eventId } },
    }),
  );
  const links = new Map<string, string>();
  for (const entry of event.entries) {
    if (entry.type !== 'exception') continue;
    for (const value of entry.data.values)
      for (const frame of value.stacktrace?.frames ?? [])
        if (frame.inApp && frame.sourceLink) links.set(frameKey(frame), frame.sourceLink);
  }
  return links;
}
