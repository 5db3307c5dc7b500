import { BadRequestError } from '../../errors';
import type { NormalizeContext, NormalizedEvent } from '../types';
import { normalizeEnvironment, normalizeLevel, normalizePlatform, optionalString } from './attributes';
import { normalizeBreadcrumbs } from './breadcrumbs';
import { normalizeContexts } from './contexts';
import { deriveTags } from './derived-tags';
import { fillContextsFromUserAgent } from './user-agent';
import { normalizeEventId } from './event-id';
import { normalizeExceptions } from './exception';
import { normalizeFingerprint } from './fingerprint';
import { normalizeMessage } from './message';
import { normalizeExtra, normalizeModules, normalizeSdk, normalizeThreads } from './passthrough';
import { createReport } from './report';
import { normalizeRequest } from './request';
import { normalizeStacktrace } from './stacktrace';
import { finalizeTags, parseTags } from './tags';
import { clockDriftCorrection, normalizeTimestamp } from './timestamp';
import { LIMITS } from './trim';
import { normalizeUser } from './user';
import { isRecord } from './values';

/** Copies the defined entries of `fields` onto `target`, so absent fields stay absent keys. */
function assignDefined<T extends object>(target: T, fields: Partial<T>): void {
  const into = target as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) into[key] = value;
  }
}

/**
 * Folds an error event payload (from an `event` envelope item or the store endpoint) into the one
 * canonical `NormalizedEvent` shape. Lenient like Relay: a malformed field is converted or dropped and
 * reported in `errors`; shortened data is recorded in `_meta`. Only a payload that is not a JSON
 * object is refused. Unknown top-level fields are not carried over.
 */
export function normalizeEvent(payload: unknown, ctx: NormalizeContext): NormalizedEvent {
  if (!isRecord(payload)) {
    throw new BadRequestError('The event payload must be a JSON object', 'invalid_event');
  }
  const report = createReport();
  const str = (key: string, max: number): string | undefined =>
    optionalString(payload[key], key, max, report);

  const event: NormalizedEvent = {
    event_id: normalizeEventId(payload.event_id, ctx.envelopeEventId, report),
    timestamp: normalizeTimestamp(payload.timestamp, ctx, report),
    received: ctx.receivedAt,
    platform: normalizePlatform(payload.platform, report),
    level: normalizeLevel(payload.level, report),
    environment: normalizeEnvironment(payload.environment, LIMITS.environment, report),
    tags: [],
  };
  const sdk = normalizeSdk(payload.sdk, report);
  assignDefined(event, {
    release: str('release', LIMITS.shortString),
    dist: str('dist', LIMITS.dist),
    logger: str('logger', LIMITS.logger),
    transaction: str('transaction', LIMITS.shortString),
    server_name: str('server_name', LIMITS.shortString),
    culprit: str('culprit', LIMITS.shortString),
    ...normalizeMessage(payload.message, payload.logentry, report),
    extra: normalizeExtra(payload.extra, report),
    contexts: normalizeContexts(payload.contexts, report),
    user: normalizeUser(payload.user, payload.sdk, ctx, report),
    request: normalizeRequest(payload.request, report),
    breadcrumbs: normalizeBreadcrumbs(payload.breadcrumbs, clockDriftCorrection(ctx), report),
    exception: normalizeExceptions(payload.exception, report),
    stacktrace: normalizeStacktrace(payload.stacktrace, 'stacktrace', report),
    threads: normalizeThreads(payload.threads, report),
    fingerprint: normalizeFingerprint(payload.fingerprint, report),
    sdk,
    modules: normalizeModules(payload.modules, report),
  });
  fillContextsFromUserAgent(event);
  event.tags = finalizeTags(parseTags(payload.tags, report), deriveTags(event), report);

  if (Object.keys(report.meta).length > 0) event._meta = report.meta;
  if (report.errors.length > 0) event.errors = report.errors;
  return event;
}
