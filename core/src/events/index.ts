/**
 * Event normalization: turns an SDK's error event payload into Faultline's canonical
 * `NormalizedEvent`. Pure functions; see `normalize/event.ts` for the rules.
 */
export type * from './types';
export { normalizeEvent } from './normalize/event';
export { generateEventId, parseEventId } from './normalize/event-id';
export { parseLevel } from './normalize/level';
export { LEVELS } from './types';
export { parseTimestamp } from './normalize/timestamp';
export { formatMessage } from './normalize/message';
export { userTagValue } from './normalize/derived-tags';
