import { z } from 'zod';
import { NotFoundError } from '../../errors';
import type { IssueActions } from '../../plugins';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';

const actionSchema = z
  .strictObject({
    plugin: z.string().describe('The id of the plugin offering it'),
    id: z.string().describe('Unique within the plugin, e.g. `create-issue`'),
    label: z.string(),
    description: z.string().nullable(),
    inputSchema: z
      .record(z.string(), z.unknown())
      .describe("The action's input form as JSON Schema (fields with a default are optional)"),
  })
  .meta({ id: 'IssueAction' });

const externalIssueSchema = z.strictObject({
  key: z.string().describe('Stable key in the other system, e.g. `github:acme/api#42`'),
  url: z.string(),
  title: z.string().optional(),
});

const resultSchema = z
  .strictObject({
    message: z.string().describe('One sentence for the caller, e.g. `Created acme/api#42`'),
    url: z.string().optional(),
    externalIssue: externalIssueSchema.optional(),
  })
  .meta({ id: 'IssueActionResult' });

const runBody = z.strictObject({
  input: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("The action's input, checked against its `inputSchema`"),
});

/**
 * Plugins' issue actions (e.g. "Create GitHub issue"): listed per issue with their input forms, and
 * run as the caller, so every surface offers every plugin's actions without knowing the plugin.
 * Reading the issue lists them; running one needs the right to change the issue (`event:write`).
 */
export function issueActionRoutes({ issueActions }: ApiDependencies): ApiRoute[] {
  function actions(): IssueActions {
    if (!issueActions)
      throw new NotFoundError('No plugins are loaded in this process', 'plugins_unavailable');
    return issueActions;
  }
  return [
    route({
      method: 'get',
      path: '/api/0/issues/:issue/actions/',
      scope: 'event:read',
      resource: 'issue',
      summary:
        "The plugins' actions offered on an issue (plugins on for its project), each with its input form as JSON Schema",
      response: z.array(actionSchema),
      handler: async ({ target: { issue } }) => (issueActions ? issueActions.list(issue) : []),
    }),
    route({
      method: 'post',
      path: '/api/0/issues/:issue/actions/:plugin/:action/',
      scope: 'event:write',
      resource: 'issue',
      summary:
        "Runs a plugin's issue action as the caller (recorded in the audit log as `issue.action` with the caller's surface). 400 names every invalid input field; 422 is the plugin's refusal, with its message; 502 a plugin that failed, 504 one that ran out of time",
      body: runBody,
      response: resultSchema,
      errors: [422, 502, 504],
      handler: async ({ ctx, caller, params, target: { issue }, body }) =>
        actions().run(issue, { plugin: params.plugin, action: params.action }, body.input, {
          ...auditActor(ctx, caller),
          surface: caller.client,
        }),
    }),
  ];
}
