export { mountApiRoutes, apiRoutes, describeApi, type ApiDependencies } from './routes';
export type { ApiRoute } from './define-route';
export { ChangeStreams } from './change-streams';
