export type { PreparedEvent } from './prepared-event';
export { storeEventBatch, type StoreSummary } from './event-store';
