export { createHttpApp, type RouteMounter } from './app';
export { readRawBody } from './raw-body';
