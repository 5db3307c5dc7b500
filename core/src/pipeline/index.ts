export { PipelineWorker, type WorkerOptions, type EventProcessor } from './worker';
export { listUnprocessableEvents, UNPROCESSABLE_ITEM_TYPE, type UnprocessableEvent } from './unprocessable';
export { prepareEvent, normalizeRow, prepareNormalized, userKeyOf, type RawEventRow } from './prepare';
