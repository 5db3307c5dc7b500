export { IngestService, type IngestRequest, type IngestAnswer } from './ingest-service';
export { IngestQueueWriter, type QueuedEvent, type StoredItem } from './queue-writer';
export { ProjectKeyCache } from './key-cache';
export { KeyRateLimiter } from './rate-limiter';
export { GroupCommitter } from './group-commit';
export { mountIngestRoutes } from './routes';
export { parseEnvelope } from './envelope';
