export { mountApiRoutes, apiRoutes, type ApiDependencies } from './routes';
export type { ApiRoute } from './define-route';
