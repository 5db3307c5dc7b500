import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  MarkupKind,
  type CodeLens,
  type Diagnostic,
  type Hover,
} from 'vscode-languageserver/node';
import { CLIENT_COMMANDS, SERVER_COMMANDS } from '../shared/protocol';
import { frameKey } from './hover-reads';
import type { CodeLocation } from './issue-sync';
import type { LocalFrame } from './locate';

/** An issue placed in the workspace: its top in-app frame that maps, and its other mapped frames. */
export interface PlacedLocation {
  location: CodeLocation;
  top: LocalFrame;
  others: LocalFrame[];
}

const SEVERITY: Record<string, DiagnosticSeverity> = {
  fatal: DiagnosticSeverity.Error,
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  debug: DiagnosticSeverity.Hint,
};

export const fileUri = (file: string): string => pathToFileURL(file).toString();

/** "3 minutes ago": how long ago, coarsely, as a person reads it in a squiggle's message. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function diagnosticOf({ location, top, others }: PlacedLocation): Diagnostic {
  const changed = top.changedSince ? ' (the code has changed since)' : '';
  return {
    range: {
      start: { line: top.line, character: top.startColumn },
      end: { line: top.line, character: top.endColumn },
    },
    // Resolved issues (shown only with faultline.showResolved) stay out of the way: a hint.
    severity:
      location.status === 'resolved'
        ? DiagnosticSeverity.Hint
        : (SEVERITY[location.level] ?? DiagnosticSeverity.Error),
    source: 'Faultline',
    code: location.shortId,
    codeDescription: { href: location.permalink },
    message: `${location.status === 'resolved' ? 'Resolved: ' : ''}${location.title} — ${plural(location.count, 'event')}, ${plural(location.userCount, 'user')}, last seen ${ago(location.lastSeen)}${changed}`,
    relatedInformation: others.map((frame) => ({
      location: {
        uri: fileUri(frame.file),
        range: {
          start: { line: frame.line, character: frame.startColumn },
          end: { line: frame.line, character: frame.endColumn },
        },
      },
      message: `called from ${frame.frame.function ?? '(anonymous)'}`,
    })),
    data: { issueId: location.issueId, permalink: location.permalink },
  };
}

const commandLink = (title: string, command: string, arg: string) =>
  `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([arg]))})`;

/** What a hover reads when it is asked for (see hover-reads.ts); absent when it could not be read. */
export interface HoverExtras {
  tags: string[];
  /** Source links by `frameKey`. */
  links: Map<string, string>;
}

/** The hover over placed issues, with each issue's extras by issue id where they could be read. */
export function hoverOf(placed: PlacedLocation[], extras: Map<string, HoverExtras> = new Map()): Hover {
  const sections = placed.map(({ location, top, others }) => {
    const topTags = extras.get(location.issueId)?.tags ?? [];
    const links = extras.get(location.issueId)?.links ?? new Map<string, string>();
    const resolved = location.status === 'resolved';
    const chain = location.exceptions.map((e) => `- \`${e.type ?? 'Error'}\`: ${e.value ?? ''}`).join('\n');
    const frames = [top, ...others]
      .map((f) => {
        const link = links.get(frameKey(f.frame));
        return `- [${f.frame.function ?? '(anonymous)'} — ${f.frame.filename ?? f.frame.absPath}:${f.frame.lineNo}](${fileUri(f.file)}#L${f.line + 1})${link ? ` ([source](${link}))` : ''}`;
      })
      .join('\n');
    const triage = [
      resolved
        ? commandLink('Unresolve', SERVER_COMMANDS.unresolve, location.issueId)
        : commandLink('Resolve', SERVER_COMMANDS.resolve, location.issueId),
      commandLink('Archive', SERVER_COMMANDS.archive, location.issueId),
      commandLink('Assign to me', SERVER_COMMANDS.assignToMe, location.issueId),
      commandLink('Open in browser', CLIENT_COMMANDS.openInBrowser, location.permalink),
      commandLink('Copy link', CLIENT_COMMANDS.copyLink, location.permalink),
    ].join(' · ');
    return [
      `**[${location.shortId}](${location.permalink})** ${location.title}${resolved ? ' (resolved)' : ''}`,
      `${plural(location.count, 'event')} · ${plural(location.userCount, 'user')} · ${plural(location.events24h, 'event')} in 24 h`,
      `First seen ${ago(location.firstSeen)} · last seen ${ago(location.lastSeen)} · release \`${location.release ?? '—'}\` · environment \`${location.environment}\`${top.changedSince ? ' · the code has changed since' : ''}`,
      chain,
      frames,
      ...(topTags.length > 0 ? [`Top tags: ${topTags.join(' · ')}`] : []),
      triage,
    ].join('\n\n');
  });
  return { contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') } };
}

/**
 * One lens per function with issues in this file: over the line declaring it when found just above
 * the issues (a plain text search: the server parses no language), else over the first issue's line.
 */
export function codeLensesOf(placed: PlacedLocation[], lines: string[]): CodeLens[] {
  const byFunction = new Map<string, PlacedLocation[]>();
  for (const p of placed) {
    const name = p.top.frame.function ?? '(anonymous)';
    byFunction.set(name, [...(byFunction.get(name) ?? []), p]);
  }
  return [...byFunction].map(([name, issues]) => {
    const first = Math.min(...issues.map((p) => p.top.line));
    const line = declarationLine(lines, name, first) ?? first;
    const events = issues.reduce((sum, p) => sum + p.location.events24h, 0);
    return {
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      command: {
        title: `Faultline: ${plural(issues.length, 'issue')}, ${plural(events, 'event')} in the last 24 h`,
        command: '',
      },
    };
  });
}

function declarationLine(lines: string[], functionName: string, from: number): number | undefined {
  const name = functionName
    .split(/[.#]/)
    .pop()
    ?.replace(/^<anonymous>$/, '');
  if (!name || !/^[\w$]+$/.test(name)) return undefined;
  const declaration = new RegExp(`(?:function\\s*\\*?\\s*${name}\\b|\\b${name}\\s*(?:=|:|\\())`);
  for (let line = from; line >= 0 && line > from - 200; line--)
    if (declaration.test(lines[line] ?? '')) return line;
  return undefined;
}
