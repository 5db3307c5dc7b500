import type { AlertedIssue, AlertNotification, AlertTrigger } from '@faultline/plugin-sdk';
import type { Knex } from 'knex';
import { findIssuesByIds, issueSummaryOf } from '../issues';
import type { AlertActionPort } from './actions';
import type { ActionJob } from './fires';
import type { RuleAction } from './rules';
import { jsonColumn } from '../db';

interface FireRow {
  id: string | number;
  rule_id: number;
  issue_id: number;
  trigger: string | null;
  reason: string | null;
  fired_at: Date | string;
  actions: unknown;
}

interface RuleContext {
  rule_id: number;
  rule_name: string;
  project_id: number;
  project_slug: string;
  project_name: string;
  organization_id: number;
  organization_slug: string;
}

/** One action of a fire or digest, ready to run. */
export interface PreparedAction {
  action: RuleAction;
  notification: AlertNotification;
  /** The fires whose action status the outcome updates. */
  fireIds: number[];
}

/**
 * Builds the notification of one action job from the database: the fire (or every fire of the
 * digest), its rule, project and organization, and the issues as they are now. Undefined when the
 * rule or its fires were deleted since (nothing left to announce).
 */
export async function prepareAction(
  knex: Knex,
  job: ActionJob,
  publicUrl: string,
): Promise<PreparedAction | undefined> {
  const digest = 'digestId' in job;
  let fires: FireRow[];
  let actions: RuleAction[];
  if ('digestId' in job) {
    const row = await knex('alert_digests')
      .where('id', job.digestId)
      .first<{ actions: unknown } | undefined>('actions');
    if (!row) return undefined;
    actions = jsonColumn<RuleAction[]>(row.actions);
    fires = await knex('alert_fires').where('digest_id', job.digestId).orderBy('id').select('*');
  } else {
    fires = await knex('alert_fires').where('id', job.fireId).select('*');
    actions = fires.length > 0 ? jsonColumn<RuleAction[]>(fires[0].actions) : [];
  }
  const action = actions[job.action];
  if (fires.length === 0 || !action) return undefined;
  const context = await knex('alert_rules as r')
    .join('projects as p', 'p.id', 'r.project_id')
    .join('organizations as o', 'o.id', 'p.organization_id')
    .where('r.id', fires[0].rule_id)
    .first<RuleContext | undefined>(
      'r.id as rule_id',
      'r.name as rule_name',
      'p.id as project_id',
      'p.slug as project_slug',
      'p.name as project_name',
      'o.id as organization_id',
      'o.slug as organization_slug',
    );
  if (!context) return undefined;
  const issues = new Map(
    (await findIssuesByIds(knex, [context.organization_id], [...new Set(fires.map((f) => f.issue_id))])).map(
      (i) => [i.id, i],
    ),
  );
  const alerted: AlertedIssue[] = fires
    .filter((f) => issues.has(f.issue_id))
    .map((f) => ({
      issue: issueSummaryOf(issues.get(f.issue_id)!, publicUrl),
      trigger: (f.trigger ?? 'issue.created') as AlertTrigger,
      reason: f.reason ?? '',
      firedAt: new Date(f.fired_at).toISOString(),
    }));
  if (alerted.length === 0) return undefined;
  return {
    action,
    fireIds: fires.map((f) => Number(f.id)),
    notification: {
      // The same on every retry of this job: plugins deduplicate by it.
      id: digest ? `digest-${job.digestId}-${job.action}` : `fire-${job.fireId}-${job.action}`,
      rule: { id: String(context.rule_id), name: context.rule_name },
      project: { id: String(context.project_id), slug: context.project_slug, name: context.project_name },
      organization: { id: String(context.organization_id), slug: context.organization_slug },
      digest,
      issues: alerted,
      config: action.config,
    },
  };
}

/** Sets the status of action `index` on these fires (`sent`, or `failed` with the error). */
export async function setActionStatus(
  knex: Knex,
  fireIds: number[],
  index: number,
  outcome: { status: 'sent' } | { status: 'failed'; error: string },
): Promise<void> {
  if (fireIds.length === 0) return;
  await knex.raw(
    `UPDATE alert_fires SET actions = jsonb_set(actions, ARRAY[?::text], (actions -> ?::int) || ?::jsonb)
      WHERE id = ANY(?::bigint[])`,
    [String(index), index, JSON.stringify(outcome), fireIds],
  );
}

export interface ActionAttempt {
  retryCount: number;
  /** Retries the queue allows after the first attempt: the attempt with this count is the last. */
  retryLimit: number;
}

/**
 * Error codes (of `PluginError`s, read by property) that another attempt would meet again: the
 * plugin's settings for the project are missing or invalid, or the installation refuses the
 * destination. The action is marked `failed` at once instead of being retried for minutes.
 */
const FINAL_ERROR_CODES = new Set(['plugin_config_invalid', 'destination_refused', 'invalid_url']);

function isFinal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FINAL_ERROR_CODES.has(code);
}

/** What became of an action job that was not rethrown for a retry. */
export type ActionJobOutcome =
  | { status: 'sent' }
  | { status: 'failed'; error: string }
  /** The rule, its fires or their issues are gone: nothing to announce. */
  | { status: 'gone' };

/**
 * Runs one action job: builds the notification, hands it to the plugin through the port, and
 * records the outcome. A failure is rethrown so the queue retries it; on the last attempt the
 * action is marked `failed` with the error first. A failure with a final code (see
 * `FINAL_ERROR_CODES`) is marked `failed` at once and not rethrown.
 */
export async function runActionJob(
  knex: Knex,
  port: AlertActionPort,
  job: ActionJob,
  attempt: ActionAttempt,
  publicUrl: string,
): Promise<ActionJobOutcome> {
  const prepared = await prepareAction(knex, job, publicUrl);
  if (!prepared) return { status: 'gone' };
  try {
    await port.run(prepared.action.plugin, prepared.notification);
  } catch (error) {
    const final = isFinal(error);
    if (final || attempt.retryCount >= attempt.retryLimit) {
      const message = error instanceof Error ? error.message : String(error);
      const outcome = { status: 'failed', error: message.slice(0, 1000) } as const;
      await setActionStatus(knex, prepared.fireIds, job.action, outcome);
      if (final) return outcome;
    }
    throw error;
  }
  await setActionStatus(knex, prepared.fireIds, job.action, { status: 'sent' });
  return { status: 'sent' };
}
