export { createHttpApp, type RouteMounter } from './app';
export { readRawBody, readStream, type ReadStreamOptions } from './raw-body';
