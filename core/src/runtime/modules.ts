/**
 * Feature modules: each capability of a process (plugins, the pipeline, alerts, jobs…) is a module
 * that names the services it needs and the one it provides. A process lists its modules and
 * `startModules` starts them in an order that satisfies their needs, then stops them in reverse.
 * `faultline start`, `faultline worker` and the pipeline thread all build from the same modules,
 * so a capability is wired in one place. Deliberately small: typed references, no container, no
 * lifecycle hooks beyond start and stop (Backstage's `createServiceRef` + `registerInit`, reduced).
 */

/** A named, typed slot a module provides and others need. */
export interface ServiceRef<T> {
  readonly id: string;
  /** Carries `T` for the type checker only; never set. */
  readonly type?: T;
}

export function serviceRef<T>(id: string): ServiceRef<T> {
  return { id };
}

type Needs = Record<string, ServiceRef<unknown>>;
type Resolved<N extends Needs> = { [K in keyof N]: N[K] extends ServiceRef<infer T> ? T : never };

/** What a module's `init` returns: the value it provides and, if it runs something, how to stop it. */
export interface Started<T> {
  value: T;
  stop?: () => Promise<void> | void;
}

export interface FeatureModule<N extends Needs, T> {
  /** For messages: which module is missing what. */
  id: string;
  provides: ServiceRef<T>;
  needs: N;
  // A method (not a function property) so modules with different needs fit one list.
  init(deps: Resolved<N>): Promise<Started<T>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of modules of any needs
export type AnyFeatureModule = FeatureModule<any, unknown>;

export function defineModule<N extends Needs, T>(module: FeatureModule<N, T>): FeatureModule<N, T> {
  return module;
}

/** A value given to the modules from outside (the config, the database…). */
export interface Given<T> {
  ref: ServiceRef<T>;
  value: T;
}

export function given<T>(ref: ServiceRef<T>, value: T): Given<T> {
  return { ref, value };
}

export interface StartedModules {
  get<T>(ref: ServiceRef<T>): T;
  /** Stops the started modules, the last started first. */
  stop(): Promise<void>;
}

/**
 * Starts `modules` once each has what it needs (from `values` or an earlier module), in list order
 * where needs allow. A module whose needs nobody provides is a programming error, reported by name.
 * If one fails to start, those already started are stopped before the error is rethrown.
 */
export async function startModules(
  modules: readonly AnyFeatureModule[],
  values: readonly Given<unknown>[],
): Promise<StartedModules> {
  const provided = new Map<string, unknown>(values.map((v) => [v.ref.id, v.value]));
  const stops: { id: string; stop: () => Promise<void> | void }[] = [];
  const stopAll = async () => {
    for (const { stop } of stops.splice(0).reverse()) await stop();
  };
  const pending = [...modules];
  try {
    while (pending.length > 0) {
      const index = pending.findIndex((m) =>
        Object.values(m.needs as Needs).every((ref) => provided.has(ref.id)),
      );
      if (index === -1) {
        const missing = pending.map(
          (m) =>
            `${m.id} needs ${Object.values(m.needs as Needs)
              .filter((ref) => !provided.has(ref.id))
              .map((ref) => ref.id)
              .join(', ')}`,
        );
        throw new Error(`Feature modules can't start: ${missing.join('; ')}`);
      }
      const [module] = pending.splice(index, 1);
      const deps = Object.fromEntries(
        Object.entries(module.needs as Needs).map(([name, ref]) => [name, provided.get(ref.id)]),
      );
      const started = await module.init(deps);
      provided.set(module.provides.id, started.value);
      if (started.stop) stops.push({ id: module.id, stop: started.stop });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    get: <T>(ref: ServiceRef<T>) => {
      if (!provided.has(ref.id)) throw new Error(`No module provides ${ref.id}`);
      return provided.get(ref.id) as T;
    },
    stop: stopAll,
  };
}
