/**
 * Checks of what a plugin's `register` and `init` hand the host, shared by the plugin's own thread
 * (plugin-thread-entry.ts) and the in-process path of host.ts. Each names every mistake it finds, in
 * the plugin author's words (`deps.store`, `hooks.processEvents`), so a misspelling skips the plugin
 * with a reason instead of loading a plugin that silently does nothing. Imports only the SDK: this
 * runs on the plugin's thread too.
 */
import { HOOK_NAMES, PluginError, type InitRegistration, type ServiceRef } from '@faultline/plugin-sdk';

type Registration = InitRegistration<Record<string, ServiceRef<unknown>>>;

function invalid(message: string): PluginError {
  return new PluginError(message, { code: 'invalid_plugin' });
}

/** The one registration `register(env)` made. */
export function checkRegistrations(registrations: unknown[]): Registration {
  if (registrations.length !== 1)
    throw invalid(`register(env) must call env.registerInit once (called ${registrations.length} times)`);
  const [registration] = registrations as Partial<Registration>[];
  if (typeof registration?.init !== 'function') throw invalid('registerInit needs an init function');
  if (
    registration.deps !== undefined &&
    (typeof registration.deps !== 'object' || registration.deps === null)
  )
    throw invalid('registerInit deps must be an object of service refs');
  return { deps: registration.deps ?? {}, init: registration.init } as Registration;
}

/** Every dep that is not a ref to a service this host provides, named by its key in `deps`. */
export function checkDeps(deps: Record<string, unknown>, provided: readonly string[]): void {
  const problems: string[] = [];
  for (const [name, ref] of Object.entries(deps)) {
    const id = (ref as { id?: unknown } | null | undefined)?.id;
    if (typeof id !== 'string')
      problems.push(
        `deps.${name} is ${ref === undefined ? 'undefined' : 'not a service ref'}${suggest(name, serviceNames(provided), ' (coreServices.%s?)')}`,
      );
    else if (!provided.includes(id))
      problems.push(
        `deps.${name} asks for service ${id}, which this host does not provide${suggest(id, provided, ' (did you mean %s?)')}`,
      );
  }
  if (problems.length > 0)
    throw new PluginError(`${problems.join('; ')}. This host provides: ${[...provided].sort().join(', ')}`, {
      code: 'service_unavailable',
    });
}

/** The hooks `init` returned: an object of known hook names, each a function. */
export function checkHooks(hooks: unknown): Record<string, unknown> {
  if (typeof hooks !== 'object' || hooks === null) throw invalid('init must return { hooks }');
  const known: readonly string[] = HOOK_NAMES;
  const problems: string[] = [];
  for (const [name, hook] of Object.entries(hooks)) {
    if (!known.includes(name))
      problems.push(`unknown hook hooks.${name}${suggest(name, known, ' (did you mean %s?)')}`);
    else if (hook !== undefined && typeof hook !== 'function')
      problems.push(`hooks.${name} must be a function`);
  }
  if (problems.length > 0) throw invalid(`${problems.join('; ')}. Hooks are: ${known.join(', ')}`);
  return hooks as Record<string, unknown>;
}

/** The key of `coreServices` for each service id (`core.logger` → `logger`). */
function serviceNames(ids: readonly string[]): string[] {
  return ids.map((id) => id.replace(/^core\./, ''));
}

/** `template` with the closest of `candidates` to `word`, or '' when none is close. */
function suggest(word: string, candidates: readonly string[], template: string): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '' : template.replace('%s', best);
}

/** Levenshtein distance: the typos this catches are a letter or two. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length];
}
