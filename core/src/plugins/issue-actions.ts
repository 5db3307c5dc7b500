import type { Knex } from 'knex';
import { z } from 'zod';
import type { Client, ExternalIssueLink, IssueActionResult } from '@faultline/plugin-sdk';
import { recordAudit, type AuditActor } from '../audit';
import {
  BadGatewayError,
  BadRequestError,
  ForbiddenError,
  GatewayTimeoutError,
  NotFoundError,
  UnprocessableError,
} from '../errors';
import { issueSummaryOf, type IssueRow } from '../issues';
import type { Logger } from '../logging';
import { actionCaller } from './action-caller';
import type { ActionCallOutcome } from './issue-action-calls';
import type { LoadedPlugin, PluginHost } from './host';

/** An action as the REST API lists it for one issue. */
export interface IssueActionView {
  plugin: string;
  id: string;
  label: string;
  description: string | null;
  inputSchema: Record<string, unknown>;
}

/** What a run answers; checked here, since it comes from plugin code. */
const resultSchema = z.object({
  message: z.string().min(1).max(2000),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
  externalIssue: z
    .object({
      key: z.string().min(1).max(200),
      url: z.url({ protocol: /^https?$/ }),
      title: z.string().optional(),
    })
    .optional(),
});

/** Who runs an action: the audit log's actor (user, token, address, surface of the credential). */
export type ActionRunner = AuditActor & { surface: Client };

/**
 * Plugins' issue actions for the REST API: the actions of the plugins on for an issue's project
 * (and `available` for it), and runs as the caller, under the hook budget. The caller's right to see
 * (list) or change (run) the issue is the API's authorizer's, checked before these are called. A
 * plugin that throws or hangs fails that request with a 502/504 naming it; the host goes on.
 */
export class IssueActions {
  constructor(
    private readonly host: PluginHost,
    private readonly options: { knex: Knex; publicUrl: string; log: Logger },
  ) {}

  /** The actions offered on the issue. One whose `available` throws or overruns is left out (and logged). */
  async list(issue: IssueRow): Promise<IssueActionView[]> {
    const summary = issueSummaryOf(issue, this.options.publicUrl);
    const offered = await Promise.all(
      this.host.loaded
        .filter((plugin) => plugin.issueActions.length > 0)
        .map(async (plugin) => {
          if (!(await this.host.isEnabled(plugin.id, issue.project_id))) return [];
          const views = await Promise.all(
            plugin.issueActions.map(async (action) => {
              if (action.hasAvailable && !(await this.isAvailable(plugin, action.id, summary))) return [];
              const { hasAvailable: _, ...view } = action;
              return [{ plugin: plugin.id, ...view }];
            }),
          );
          return views.flat();
        }),
    );
    return offered.flat();
  }

  /**
   * Runs an action as `runner` and records the run in the organization's audit log. Invalid input is
   * a 400 naming every field, a `PluginError` from the action a 422 with its message, an unknown or
   * unavailable action a 404, a plugin that fails a 502 and one that overruns a 504.
   */
  async run(
    issue: IssueRow,
    target: { plugin: string; action: string },
    input: unknown,
    runner: ActionRunner,
  ): Promise<IssueActionResult> {
    const plugin = this.host.plugin(target.plugin);
    const what = `issue action ${target.action} of plugin ${target.plugin}`;
    const summary = issueSummaryOf(issue, this.options.publicUrl);
    const action = plugin?.issueActions.find((a) => a.id === target.action);
    if (
      !plugin ||
      !action ||
      !(await this.host.isEnabled(plugin.id, issue.project_id)) ||
      (action.hasAvailable && !(await this.isAvailable(plugin, action.id, summary)))
    )
      throw new NotFoundError(`No ${what} is offered on issue ${summary.shortId}`, 'action_not_found');
    // An action runs as a person (plugins act for them, e.g. on GitHub): a credential without a user can't.
    const userId = runner.userId;
    if (userId === null)
      throw new ForbiddenError(
        'Issue actions run as a person: use a credential of your own (an organization token has no user)',
        'action_needs_user',
      );

    const caller = {
      pluginId: plugin.id,
      issueId: issue.id,
      userId,
      email: runner.email,
      surface: runner.surface,
    };
    const actor = { userId: String(userId), surface: runner.surface };
    const outcome = await this.call(plugin, action.id, what, () =>
      actionCaller.run(caller, () =>
        plugin.callAction(
          action.id,
          {
            op: 'run',
            issue: summary,
            input,
            actor,
            changeOptions: { actorUserId: actor.userId, asCaller: true },
          },
          this.host.actionBudgetMs,
        ),
      ),
    ).catch(async (error: unknown) => {
      await this.audit(issue, target, runner, { outcome: 'failed' });
      throw error;
    });

    if ('invalid' in outcome)
      throw new BadRequestError(
        `Invalid input of ${what}: ${outcome.invalid.map((p) => `\`${p.field}\` ${p.message}`).join('; ')}`,
        'invalid_action_input',
      );
    if ('refused' in outcome) {
      await this.audit(issue, target, runner, { outcome: 'refused', message: outcome.refused.message });
      throw new UnprocessableError(outcome.refused.message, outcome.refused.code);
    }
    const result = resultSchema.safeParse('result' in outcome ? outcome.result : undefined);
    if (!result.success) {
      await this.audit(issue, target, runner, { outcome: 'failed' });
      this.options.log.error(
        { plugin: plugin.id, action: action.id, problems: result.error.issues },
        'bad result',
      );
      throw new BadGatewayError(
        `Plugin ${plugin.id} answered ${what} with something that is not a result ({ message, url?, externalIssue? })`,
        'plugin_failed',
      );
    }
    const answer: IssueActionResult = {
      message: result.data.message,
      ...(result.data.url === undefined ? {} : { url: result.data.url }),
      ...(result.data.externalIssue === undefined
        ? {}
        : { externalIssue: result.data.externalIssue as ExternalIssueLink }),
    };
    await this.audit(issue, target, runner, { outcome: 'done', message: answer.message, url: answer.url });
    return answer;
  }

  private async isAvailable(plugin: LoadedPlugin, actionId: string, issue: IssueActionCallIssue) {
    try {
      const outcome = await plugin.callAction(actionId, { op: 'available', issue }, this.host.actionBudgetMs);
      return 'available' in outcome && outcome.available;
    } catch (error) {
      this.options.log.warn(
        { plugin: plugin.id, action: actionId, err: error },
        'issue action availability check failed; not offered',
      );
      return false;
    }
  }

  /** Calls the plugin; its failure becomes a typed answer naming it, and counts as a hook failure. */
  private async call(
    plugin: LoadedPlugin,
    actionId: string,
    what: string,
    call: () => Promise<ActionCallOutcome>,
  ): Promise<ActionCallOutcome> {
    try {
      return await call();
    } catch (error) {
      await this.host.recordFailure(plugin.id, 'hook', error);
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'plugin_timeout')
        throw new GatewayTimeoutError(
          `Plugin ${plugin.id} did not finish ${what}: ${(error as Error).message}`,
          'plugin_timeout',
        );
      this.options.log.error({ plugin: plugin.id, action: actionId, err: error }, 'issue action failed');
      throw new BadGatewayError(
        `Plugin ${plugin.id} failed to run ${what}; the details are in the server log`,
        'plugin_failed',
      );
    }
  }

  private async audit(
    issue: IssueRow,
    target: { plugin: string; action: string },
    runner: ActionRunner,
    data: Record<string, unknown>,
  ): Promise<void> {
    await recordAudit(this.options.knex, {
      organizationId: issue.organization_id,
      actor: runner,
      event: 'issue.action',
      target: { type: 'issue', id: issue.id },
      data: { plugin: target.plugin, action: target.action, ...data },
    });
  }
}

type IssueActionCallIssue = ReturnType<typeof issueSummaryOf>;
