/**
 * Keys under which the SDK records what it marks, shared by every copy of the SDK in a process.
 * A plugin installed from npm carries its own copy of this package, so nothing the host checks may
 * depend on module-local state or on `instanceof` against one copy's classes: `Symbol.for` returns
 * the same symbol to every copy (and to every zod copy holding a schema's definition).
 */

/** In a zod schema's definition: the field's marks (`secret`, `installationOnly`). */
export const MARKS_KEY: unique symbol = Symbol.for('@faultline/plugin-sdk:marks') as never;

/** On an error class's prototype: the class's name, so `instanceof` works across copies. */
export const ERROR_BRAND: unique symbol = Symbol.for('@faultline/plugin-sdk:error') as never;
