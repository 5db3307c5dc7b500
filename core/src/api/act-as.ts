import type { Context } from 'koa';
import type { Knex } from 'knex';
import { BadRequestError, ForbiddenError } from '../errors';
import { externalId, linkedUser } from '../identities';
import type { ApiCaller } from './auth';
import { callerIntegration } from './integration-caller';

/** The header an integration names the external user it acts for with: `<workspace id>:<user id>`. */
export const ACT_AS_HEADER = 'X-Faultline-Act-As';

/**
 * An integration's organization token acting for the member linked to an external user: the caller
 * becomes that member, reaching only the integration's organization, with their role and teams
 * (narrowed by the token's scopes), recorded through the integration's client. Safe only because the
 * token is bound to one provider and organization, and the link was confirmed by the member.
 */
export async function actAsLinkedUser(knex: Knex, ctx: Context, caller: ApiCaller): Promise<ApiCaller> {
  const value = ctx.get(ACT_AS_HEADER);
  if (!value) return caller;
  if (caller.session)
    throw new ForbiddenError(
      `${ACT_AS_HEADER} needs an integration's token, not a session`,
      'integration_required',
    );
  const provider = callerIntegration(caller, `Acting for a linked user (${ACT_AS_HEADER})`);
  const at = value.indexOf(':');
  if (at < 0)
    throw new BadRequestError(
      `${ACT_AS_HEADER} must be "<external workspace id>:<external user id>", e.g. T0123:U0456`,
      'invalid_act_as',
    );
  const identity = {
    provider,
    workspaceId: externalId(value.slice(0, at).trim(), `${ACT_AS_HEADER}'s workspace id`),
    userId: externalId(value.slice(at + 1).trim(), `${ACT_AS_HEADER}'s user id`),
  };
  const user = await linkedUser(knex, caller.organizationId!, identity);
  return {
    ...caller,
    user,
    actingFor: { provider, workspaceId: identity.workspaceId, externalUserId: identity.userId },
  };
}

/** Minting or revoking credentials stays with people: an integration acting for one may not. */
export function refuseActingFor(caller: ApiCaller, what: string): void {
  if (caller.actingFor)
    throw new ForbiddenError(
      `An integration acting for a linked user can't ${what}: ask the person to do it`,
      'acting_for_user',
    );
}
