export { PipelineWorker, type WorkerOptions } from './worker';
export { prepareEvent, userKeyOf, type RawEventRow } from './prepare';
