/** The REST calls of a project's alert rules page, through the generated client. */
import type { Schema } from '@faultline/api-client';
import { call, client } from './http';

export type AlertRule = Schema<'AlertRule'>;
export type AlertFire = Schema<'AlertFire'>;
/** What a rule may be made of in a project: triggers, filters and actions, each with its JSON Schema. */
export type AlertRuleConfiguration = Schema<'AlertRuleConfiguration'>;
/** A rule as it is created, and as an edit sends it whole (its status is changed on its own). */
export type AlertRuleBody = Pick<
  AlertRule,
  'name' | 'actionMatch' | 'filterMatch' | 'conditions' | 'filters' | 'actions' | 'frequency' | 'digest'
>;

/** The project's issue alert rules; a project has a handful, so one page of 100 shows them all. */
export async function alertRules(organization: string, project: string) {
  return call(
    client.GET('/api/0/projects/{organization}/{project}/rules/', {
      params: { path: { organization, project }, query: { per_page: 100 } },
    }),
  );
}

export async function alertRuleConfiguration(organization: string, project: string) {
  return call(
    client.GET('/api/0/projects/{organization}/{project}/rules/configuration/', {
      params: { path: { organization, project } },
    }),
  );
}

export async function createAlertRule(organization: string, project: string, body: AlertRuleBody) {
  return call(
    client.POST('/api/0/projects/{organization}/{project}/rules/', {
      params: { path: { organization, project } },
      body,
    }),
  );
}

export async function updateAlertRule(
  organization: string,
  project: string,
  ruleId: string,
  body: Partial<AlertRuleBody> & { status?: AlertRule['status'] },
) {
  return call(
    client.PUT('/api/0/projects/{organization}/{project}/rules/{ruleId}/', {
      params: { path: { organization, project, ruleId } },
      body,
    }),
  );
}

export async function deleteAlertRule(organization: string, project: string, ruleId: string) {
  await call(
    client.DELETE('/api/0/projects/{organization}/{project}/rules/{ruleId}/', {
      params: { path: { organization, project, ruleId } },
    }),
  );
}

/** A rule's latest fires, newest first (the first page). */
export async function alertRuleFires(organization: string, project: string, ruleId: string) {
  return call(
    client.GET('/api/0/projects/{organization}/{project}/rules/{ruleId}/fires/', {
      params: { path: { organization, project, ruleId }, query: { per_page: 25 } },
    }),
  );
}
