export { createHttpApp, type RouteMounter } from './app';
