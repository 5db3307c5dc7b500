import { Webhooks, type EmitterWebhookEvent } from '@octokit/webhooks';
import type { PluginRequest, PluginResponse } from '@faultline/plugin-sdk';
import { configSchema } from './config';
import type { Services } from './context';
import { applyGitHubAssignment } from './assignees';
import { applyGitHubComment, applyGitHubState, resolveByCommits } from './sync-in';

type Payload<N extends 'issues' | 'issue_comment' | 'push' | 'installation' | 'installation_repositories'> =
  EmitterWebhookEvent<N>['payload'];

/** Deliveries are remembered this long, well past GitHub's redelivery window of a few days. */
export const DELIVERY_KEEP_MS = 14 * 24 * 3600_000;

const answer = (status: number, body?: unknown): PluginResponse => ({ status, ...(body ? { body } : {}) });

/**
 * Whether `signature` (`X-Hub-Signature-256`) signs `body` with the webhook secret, or with the
 * previous one while the secret is being rotated. `@octokit/webhooks` does the HMAC and the
 * constant-time comparison.
 */
async function verified(secrets: string[], body: string, signature: string): Promise<boolean> {
  for (const secret of secrets) if (await new Webhooks({ secret }).verify(body, signature)) return true;
  return false;
}

/** Handles one verified event; returns what it did, for the answer and the log. */
async function dispatch(
  services: Services,
  name: string,
  payload: unknown,
): Promise<Record<string, unknown>> {
  switch (name) {
    case 'issues': {
      const p = payload as Payload<'issues'>;
      const ref = { repository: p.repository.full_name, number: p.issue.number };
      if ((p.action === 'assigned' || p.action === 'unassigned') && p.assignee) {
        const assignees = (p.issue.assignees ?? []).flatMap((a) => (a ? [{ login: a.login, id: a.id }] : []));
        const user = { login: p.assignee.login, id: p.assignee.id };
        return { changed: await applyGitHubAssignment(services, ref, { action: p.action, user, assignees }) };
      }
      if (p.action !== 'closed' && p.action !== 'reopened') return { ignored: `issues.${p.action}` };
      const reason =
        'state_reason' in p.issue ? (p.issue.state_reason as string | null | undefined) : undefined;
      return {
        changed: await applyGitHubState(services, ref, p.action === 'closed' ? 'closed' : 'open', reason),
      };
    }
    case 'issue_comment': {
      const p = payload as Payload<'issue_comment'>;
      if (p.action !== 'created') return { ignored: `issue_comment.${p.action}` };
      const ref = { repository: p.repository.full_name, number: p.issue.number };
      const comment = {
        body: p.comment.body,
        author: p.comment.user ? { login: p.comment.user.login, id: p.comment.user.id } : undefined,
        url: p.comment.html_url,
      };
      return { added: await applyGitHubComment(services, ref, comment) };
    }
    case 'push': {
      const p = payload as Payload<'push'>;
      // Like GitHub's closing keywords: only what reaches the default branch resolves anything.
      if (p.ref !== `refs/heads/${p.repository.default_branch}`) return { ignored: 'push to another branch' };
      const commits = p.commits.map((c) => ({ id: c.id, message: c.message, url: c.url }));
      return { resolved: await resolveByCommits(services, p.repository.full_name, commits) };
    }
    case 'installation':
    case 'installation_repositories': {
      const p = payload as Payload<'installation'> | Payload<'installation_repositories'>;
      await keepInstallation(services, name, p);
      return { installation: p.installation.id };
    }
    default:
      return { ignored: name };
  }
}

/**
 * The App's installations as GitHub last described them (account, repositories), kept current from
 * `installation` and `installation_repositories` events; deleted with the installation.
 */
async function keepInstallation(
  services: Services,
  name: string,
  p: Payload<'installation'> | Payload<'installation_repositories'>,
): Promise<void> {
  const key = `installation:${p.installation.id}`;
  if (name === 'installation' && p.action === 'deleted') {
    await services.storage.delete(key);
    return;
  }
  const known = (await services.storage.get<{ repositories: string[] }>(key))?.repositories ?? [];
  let repositories = known;
  if ('repositories' in p && p.repositories) repositories = p.repositories.map((r) => r.full_name);
  if ('repositories_added' in p) {
    const removed = new Set(p.repositories_removed.map((r) => r.full_name));
    repositories = [...new Set([...known, ...p.repositories_added.map((r) => r.full_name)])].filter(
      (r) => !removed.has(r),
    );
  }
  const account = p.installation.account as { login?: string; slug?: string } | null;
  await services.storage.set(key, {
    account: account?.login ?? account?.slug ?? null,
    suspended: name === 'installation' && p.action === 'suspend',
    repositories: repositories.sort(),
    updatedAt: new Date().toISOString(),
  });
}

/**
 * `POST /api/0/plugins/github/webhook`: GitHub's deliveries, checked against the installation's
 * webhook secret. 401 for a bad signature, 204 for events the plugin does not use, and a delivery
 * seen before (`X-GitHub-Delivery`) is answered without doing anything again. A delivery that fails
 * is forgotten again and answered 500, so GitHub's redelivery of it is handled.
 */
export async function handleWebhook(services: Services, request: PluginRequest): Promise<PluginResponse> {
  const config = configSchema.parse(services.config.value);
  const secrets = [config.webhookSecret, config.previousWebhookSecret].filter((s): s is string => !!s);
  if (secrets.length === 0) return answer(503, { detail: 'The GitHub webhook secret is not configured' });
  const body = request.rawBody.toString('utf8');
  const signature = request.headers['x-hub-signature-256'] ?? '';
  if (!signature || !(await verified(secrets, body, signature)))
    return answer(401, { detail: 'X-Hub-Signature-256 does not match the webhook secret' });
  const name = request.headers['x-github-event'] ?? '';
  const delivery = request.headers['x-github-delivery'] ?? '';
  if (name === 'ping') return answer(200, { ok: true });
  const known = ['issues', 'issue_comment', 'push', 'installation', 'installation_repositories'];
  if (!known.includes(name)) return answer(204);
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return answer(400, { detail: 'The body is not JSON' });
  }
  const deliveryKey = `delivery:${delivery}`;
  if (delivery && !(await services.storage.setIfAbsent(deliveryKey, { at: Date.now(), event: name })))
    return answer(200, { duplicate: true });
  try {
    const result = await dispatch(services, name, payload);
    services.logger.debug('github webhook handled', { event: name, delivery, ...result });
    return answer(200, result);
  } catch (error) {
    if (delivery) await services.storage.delete(deliveryKey);
    services.logger.warn('github webhook failed', { event: name, delivery, error: String(error) });
    return answer(500, { detail: 'The delivery could not be handled; redeliver it' });
  }
}

/** Forgets deliveries older than `DELIVERY_KEEP_MS` (run daily by the scheduler). */
export async function pruneDeliveries(services: Services, now = Date.now()): Promise<void> {
  for (const key of await services.storage.keys('delivery:')) {
    const seen = await services.storage.get<{ at: number }>(key);
    if (!seen || now - seen.at > DELIVERY_KEEP_MS) await services.storage.delete(key);
  }
}
