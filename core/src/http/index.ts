export { createHttpApp, type RouteMounter } from './app';
export { readLimitedBody, readRawBody, readStream, type ReadStreamOptions } from './raw-body';
export { webAssets, hasWebUi, WEB_CSP } from './web-assets';
export { errorAnswerSchema, type ErrorAnswer } from './error-answer';
