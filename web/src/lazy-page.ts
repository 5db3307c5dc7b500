import type { ComponentType } from 'react';
import type { RouteObject } from 'react-router';

/**
 * A route whose page module is fetched the first time the route is visited (the router waits for
 * it), so the issue list's first load doesn't parse every settings page, its forms and the QR code
 * library: Vite makes each dynamic import its own chunk.
 */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K): Pick<RouteObject, 'lazy'> {
  return { lazy: async () => ({ Component: (await load())[name] as ComponentType }) };
}
