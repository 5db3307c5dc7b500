import { ok } from '@faultline/api-client';
import type { SlackMessage } from '@faultline/extension-slack';
import type { Faultline } from './faultline';
import { renderCard } from './render';

/** The issue actions plugins offer for an issue (`GET /issues/{id}/actions/`). */
export async function issueActions(faultline: Faultline, issueId: string) {
  return ok(faultline.app.GET('/api/0/issues/{issue}/actions/', { params: { path: { issue: issueId } } }));
}

/** The card of an issue as it is now, with the plugins' issue actions it offers now. */
export async function drawCard(
  faultline: Faultline,
  issueId: string,
  lastAction?: string,
): Promise<SlackMessage> {
  const [issue, actions] = await Promise.all([faultline.issue(issueId), issueActions(faultline, issueId)]);
  return renderCard(issue, lastAction, actions);
}
