import type { IssueSummary, PluginEvent } from '@faultline/plugin-sdk';
import type { Connection } from './config';
import { frameLink, releaseCommit, type Frame } from './source-links';

/** Frames shown in the body: the innermost in-app ones, enough to see where it failed. */
const MAX_FRAMES = 15;

/** Markdown's special characters in text we did not write (exception messages, function names). */
function escape(text: string): string {
  return text.replace(/([\\`*_{}[\]<>()#+!|~])/g, '\\$1');
}

interface ExceptionValue {
  type?: string;
  value?: string;
  stacktrace?: { frames?: Frame[] };
}

/** The in-app frames of the event's last exception, innermost first. */
function inAppFrames(event: PluginEvent | undefined): Frame[] {
  const values = (event?.exception?.values ?? []) as ExceptionValue[];
  const frames = values.at(-1)?.stacktrace?.frames ?? [];
  return frames.filter((f) => f.in_app !== false).reverse();
}

function frameLine(frame: Frame, link: string | undefined): string {
  const where = `${frame.filename ?? frame.abs_path ?? '?'}${frame.lineno ? `:${frame.lineno}` : ''}`;
  const name = frame.function ? `${escape(frame.function)} in ` : '';
  return link ? `- ${name}[\`${where}\`](${link})` : `- ${name}\`${where}\``;
}

/**
 * The body of a GitHub issue created for a Faultline issue: the error, the in-app stack trace with
 * each frame a link to its line (at the release's commit when the release is one, else the mapped
 * branch), how often and for how many users it happened, first and last seen, and the backlink.
 */
export function issueBody(
  issue: IssueSummary,
  event: PluginEvent | undefined,
  connection: Connection,
  webUrl: string,
): string {
  const values = (event?.exception?.values ?? []) as ExceptionValue[];
  const last = values.at(-1);
  const error = last
    ? `${last.type ?? 'Error'}: ${last.value ?? ''}`.trim()
    : (event?.message ?? issue.title);
  const commit = releaseCommit(event?.release);
  const frames = inAppFrames(event).slice(0, MAX_FRAMES);
  const lines = [
    `**${escape(error)}**`,
    '',
    ...(issue.culprit ? [`In \`${issue.culprit.replace(/`/g, "'")}\``, ''] : []),
  ];
  if (frames.length > 0) {
    lines.push(`#### Stack trace (in-app frames, innermost first${commit ? `, at ${commit}` : ''})`, '');
    for (const frame of frames)
      lines.push(
        frameLine(frame, frameLink(webUrl, connection.repository, connection.codeMappings, frame, commit)),
      );
    lines.push('');
  }
  lines.push(
    '| | |',
    '|---|---|',
    `| Events | ${issue.count} |`,
    `| Users | ${issue.userCount} |`,
    `| First seen | ${issue.firstSeen} |`,
    `| Last seen | ${issue.lastSeen} |`,
    ...(event?.release ? [`| Release | \`${event.release.replace(/`/g, "'")}\` |`] : []),
    '',
    `[${issue.shortId} in Faultline](${issue.permalink})`,
  );
  return lines.join('\n');
}

/** The title of a created GitHub issue. */
export function issueTitle(issue: IssueSummary): string {
  return `${issue.shortId}: ${issue.title}`.slice(0, 256);
}

/** The comment put on an existing GitHub issue that gets linked. */
export function linkComment(issue: IssueSummary): string {
  return `Linked to [${issue.shortId} in Faultline](${issue.permalink}): ${escape(issue.title)}`;
}
