export { PipelineWorker, type WorkerOptions, type EventProcessor } from './worker';
export { prepareEvent, normalizeRow, prepareNormalized, userKeyOf, type RawEventRow } from './prepare';
