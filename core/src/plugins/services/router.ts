import {
  PluginError,
  type Awaitable,
  type HttpRouter,
  type PluginRequest,
  type PluginResponse,
} from '@faultline/plugin-sdk';

export type PluginRouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type PluginRouteHandler = (request: PluginRequest) => Awaitable<PluginResponse>;

const METHODS: readonly PluginRouteMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * `coreServices.httpRouter` for one plugin: collects the plugin's routes (method + exact path below
 * `/api/0/plugins/{id}`); `mountPluginRoutes` serves them. Declaring the same route twice is a
 * mistake in the plugin, refused when it is made.
 */
export class PluginRoutes implements HttpRouter {
  private readonly routes = new Map<string, PluginRouteHandler>();

  handle(method: PluginRouteMethod, path: string, handler: PluginRouteHandler): void {
    if (!METHODS.includes(method))
      throw new PluginError(`Unknown method ${String(method)}: use ${METHODS.join(', ')}`, {
        code: 'invalid_route',
      });
    if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path))
      throw new PluginError(`A route path starts with / and holds no query, fragment or spaces: "${path}"`, {
        code: 'invalid_route',
      });
    if (typeof handler !== 'function')
      throw new PluginError(`${method} ${path} needs a handler function`, { code: 'invalid_route' });
    const key = `${method} ${path}`;
    if (this.routes.has(key)) throw new PluginError(`${key} is declared twice`, { code: 'duplicate_route' });
    this.routes.set(key, handler);
  }

  /** The handler of exactly this method and path. */
  find(method: string, path: string): PluginRouteHandler | undefined {
    return this.routes.get(`${method.toUpperCase()} ${path}`);
  }

  /** The methods declared for `path` (for a 405's Allow header). */
  methodsOf(path: string): PluginRouteMethod[] {
    return METHODS.filter((method) => this.routes.has(`${method} ${path}`));
  }

  /** Every declared route, for the host's catalogue and logs. */
  list(): { method: PluginRouteMethod; path: string }[] {
    return [...this.routes.keys()].map((key) => {
      const [method, path] = key.split(' ');
      return { method: method as PluginRouteMethod, path };
    });
  }

  get size(): number {
    return this.routes.size;
  }
}
