/**
 * The typed client of Faultline's REST API, generated from `docs/openapi.json`: request and
 * answer types per route (`paths`), named shapes (`components['schemas']['Issue']`…), Sentry's
 * `Link` pagination and the change stream. Depends on nothing in core: it sees the API only.
 */
export {
  createFaultlineClient,
  ok,
  type CallResult,
  type ClientOptions,
  type FaultlineClient,
} from './client';
export { paginate, parseLinkHeader, type PageLink } from './pagination';
export {
  openChangeStream,
  type ChangeEvent,
  type ChangeStream,
  type ChangeStreamOptions,
} from './change-stream';
export { CursorExpiredError, FaultlineApiError } from './errors';
export type { components, paths } from './generated/schema';
import type { components } from './generated/schema';

/** A named shape of the API: `Schema<'Issue'>`, `Schema<'Event'>`… */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
