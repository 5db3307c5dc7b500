import type { AlertedIssue, AlertNotification } from '@faultline/plugin-sdk';

/** What one alert mail says, before it is addressed and sent. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export const DEFAULT_SUBJECT_PREFIX = '[Faultline]';

/** Subjects are cut here: mail clients show about this much, and a stack-trace title can be huge. */
const MAX_SUBJECT_TITLE = 120;

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Matching control characters is the point here (CR/LF would break a header line).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/** One line: control characters (CR/LF included) become spaces, runs of blanks collapse. */
function oneLine(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Only http(s) links are made clickable: a permalink is ours, but the HTML must never carry `javascript:`. */
function safeLink(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * `[Faultline] <project>: <issue title>` for one issue, `[Faultline] <project>: N issues` for a
 * digest of several. The prefix is the action's `subjectPrefix` when it has one.
 */
export function renderSubject(alert: AlertNotification, subjectPrefix = DEFAULT_SUBJECT_PREFIX): string {
  const prefix = oneLine(subjectPrefix);
  const project = oneLine(alert.project.slug);
  const what =
    alert.issues.length === 1
      ? truncate(oneLine(alert.issues[0].issue.title), MAX_SUBJECT_TITLE)
      : plural(alert.issues.length, 'issue', 'issues');
  return `${prefix ? `${prefix} ` : ''}${project}: ${what}`;
}

function introText(alert: AlertNotification): string {
  const rule = oneLine(alert.rule.name);
  const where = `${oneLine(alert.project.name)} (${oneLine(alert.organization.slug)}/${oneLine(alert.project.slug)})`;
  return alert.digest
    ? `Alert rule "${rule}" fired ${plural(alert.issues.length, 'time', 'times')} in ${where}.`
    : `Alert rule "${rule}" fired in ${where}.`;
}

function countsText(alerted: AlertedIssue): string {
  return `${plural(alerted.issue.count, 'event', 'events')} · ${plural(alerted.issue.userCount, 'user', 'users')}`;
}

function issueText(alerted: AlertedIssue): string {
  const { issue } = alerted;
  const lines = [`${oneLine(issue.shortId)}  ${oneLine(issue.title)}`];
  if (issue.culprit) lines.push(`  in ${oneLine(issue.culprit)}`);
  lines.push(`  ${oneLine(alerted.reason)} · level ${oneLine(issue.level)}`);
  lines.push(`  ${countsText(alerted)}`);
  lines.push(`  ${oneLine(issue.permalink)}`);
  return lines.join('\n');
}

function footerText(alert: AlertNotification): string {
  return `Sent by Faultline for alert rule "${oneLine(alert.rule.name)}". Alert id: ${alert.id}`;
}

export function renderText(alert: AlertNotification): string {
  return [
    introText(alert),
    '',
    alert.issues.map(issueText).join('\n\n'),
    '',
    '-- ',
    footerText(alert),
    '',
  ].join('\n');
}

const LEVEL_COLOURS: Record<string, string> = {
  fatal: '#a4000f',
  error: '#e03e2f',
  warning: '#f5a623',
  info: '#2f80ed',
  debug: '#6c757d',
};

function issueHtml(alerted: AlertedIssue): string {
  const { issue } = alerted;
  const e = (text: string) => escapeHtml(oneLine(text));
  const link = safeLink(issue.permalink);
  const title = link
    ? `<a href="${escapeHtml(link)}" style="color:#1a0dab;text-decoration:none">${e(issue.title)}</a>`
    : e(issue.title);
  const colour = LEVEL_COLOURS[issue.level] ?? '#6c757d';
  return [
    '<tr><td style="padding:12px 0;border-top:1px solid #e5e5e5">',
    `<div style="font-size:12px;color:#6c757d">${e(issue.shortId)}`,
    ` · <span style="color:${colour};font-weight:bold">${e(issue.level)}</span></div>`,
    `<div style="font-size:16px;font-weight:bold;margin:2px 0">${title}</div>`,
    issue.culprit ? `<div style="font-family:monospace;color:#555">${e(issue.culprit)}</div>` : '',
    `<div style="margin-top:4px">${e(alerted.reason)}</div>`,
    `<div style="color:#6c757d">${e(countsText(alerted))}</div>`,
    link ? `<div style="font-size:12px"><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></div>` : '',
    '</td></tr>',
  ].join('');
}

export function renderHtml(alert: AlertNotification, subject: string): string {
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222">',
    `<p>${escapeHtml(introText(alert))}</p>`,
    '<table role="presentation" cellspacing="0" cellpadding="0" style="width:100%;max-width:640px">',
    alert.issues.map(issueHtml).join('\n'),
    '</table>',
    `<p style="font-size:12px;color:#6c757d">${escapeHtml(footerText(alert))}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** The whole mail for one notification. Pure: the same notification renders the same mail. */
export function renderAlertMail(alert: AlertNotification, subjectPrefix?: string): RenderedMail {
  const subject = renderSubject(alert, subjectPrefix);
  return { subject, text: renderText(alert), html: renderHtml(alert, subject) };
}
