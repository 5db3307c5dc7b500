import { createHmac, randomUUID } from 'node:crypto';
import examples from '@octokit/webhooks-examples';

/**
 * Webhook deliveries for tests: payloads taken from GitHub's own examples (`@octokit/webhooks-examples`),
 * pointed at the test's repository and issue, signed like GitHub signs them and posted to the real
 * endpoint.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A deep copy of GitHub's first example of `event` (with `action`, when given). */
export function example(event: string, action?: string): Json {
  const kind = (examples as { name: string; examples: Json[] }[]).find((e) => e.name === event);
  const found = kind?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`no example of ${event}${action ? `.${action}` : ''}`);
  return structuredClone(found);
}

/** Points an example at `owner/name` (default branch `main`). */
export function inRepository(payload: Json, repository: string): Json {
  const [owner, name] = repository.split('/');
  Object.assign(payload.repository, { full_name: repository, name, default_branch: 'main' });
  payload.repository.owner.login = owner;
  return payload;
}

/** `issues.closed` (GitHub's examples have none: their `reopened` one, closed) or `issues.reopened`. */
export function issueEvent(
  repository: string,
  number: number,
  action: 'closed' | 'reopened',
  reason = 'completed',
): Json {
  const payload = inRepository(example('issues', 'reopened'), repository);
  payload.action = action;
  Object.assign(payload.issue, {
    number,
    state: action === 'closed' ? 'closed' : 'open',
    state_reason: action === 'closed' ? reason : 'reopened',
  });
  return payload;
}

/**
 * `issues.assigned` / `issues.unassigned` of `user` (a GitHub user: login and id), the issue then
 * having `assignees`.
 */
export function assignmentEvent(
  repository: string,
  number: number,
  action: 'assigned' | 'unassigned',
  user: { login: string; id: number },
  assignees: { login: string; id: number }[],
): Json {
  const payload = inRepository(example('issues', action), repository);
  const template = payload.assignee ?? payload.issue.user;
  const person = (who: { login: string; id: number }) => ({ ...structuredClone(template), ...who });
  payload.issue.number = number;
  payload.assignee = person(user);
  payload.issue.assignees = assignees.map(person);
  payload.issue.assignee = payload.issue.assignees[0] ?? null;
  return payload;
}

export function commentEvent(
  repository: string,
  number: number,
  body: string,
  login = 'octocat',
  userId?: number,
): Json {
  const payload = inRepository(example('issue_comment', 'created'), repository);
  payload.issue.number = number;
  Object.assign(payload.comment, {
    body,
    html_url: `https://github.com/${repository}/issues/${number}#issuecomment-1`,
  });
  payload.comment.user.login = login;
  if (userId !== undefined) payload.comment.user.id = userId;
  return payload;
}

export function pushEvent(repository: string, messages: string[], branch = 'main'): Json {
  const payload = inRepository(example('push'), repository);
  const template = example('push').commits[0] ?? {};
  payload.ref = `refs/heads/${branch}`;
  payload.commits = messages.map((message, i) => ({
    ...structuredClone(template),
    id: `${String(i + 1).padStart(2, '0')}${randomUUID().replace(/-/g, '')}`.slice(0, 40).padEnd(40, '0'),
    message,
    url: `https://github.com/${repository}/commit/${i}`,
  }));
  return payload;
}

export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs `payload` as GitHub would; returns the answer's status and body. */
export async function deliver(
  url: string,
  event: string,
  payload: unknown,
  options: { secret: string; delivery?: string; signature?: string },
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(payload);
  const answer = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': options.delivery ?? randomUUID(),
      'x-hub-signature-256': options.signature ?? signature(body, options.secret),
    },
    body,
  });
  return { status: answer.status, body: await answer.text() };
}
