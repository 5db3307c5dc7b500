import type { Context } from 'koa';
import type { AuditActor } from '../audit';
import type { ApiCaller } from './auth';

/** The audit log's "who": the caller's user and token, its credential's client, and its address. */
export function auditActor(ctx: Context, caller: ApiCaller): AuditActor {
  return {
    userId: caller.user?.id ?? null,
    email: caller.user?.email ?? null,
    tokenId: caller.tokenId,
    ip: ctx.ip || null,
    surface: caller.client,
  };
}
