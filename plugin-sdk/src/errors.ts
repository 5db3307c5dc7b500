import { ERROR_BRAND } from './brand';

/**
 * Whether `value` is an instance of the SDK error class named `brand`, made by this copy of the SDK
 * or by any other (each class's prototype carries its name under a `Symbol.for` key).
 */
function hasBrand(value: unknown, brand: string): boolean {
  for (let proto: unknown = value; proto !== null && typeof proto === 'object';) {
    if (Object.hasOwn(proto, ERROR_BRAND) && (proto as Record<symbol, unknown>)[ERROR_BRAND] === brand)
      return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

/**
 * Makes `instanceof Class` true for instances of that class from any copy of the SDK. A plugin's
 * own subclass inherits the static method but keeps the ordinary `instanceof` check.
 */
function brand(cls: { prototype: object }, name: string): void {
  Object.defineProperty(cls.prototype, ERROR_BRAND, { value: name });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (this !== cls) return Function.prototype[Symbol.hasInstance].call(this, value);
      return hasBrand(value, name);
    },
  });
}

/**
 * Errors a plugin may throw, and that the host reports about plugins. Each has a machine-readable
 * `code` and a message that says what to fix. `instanceof` works even when the plugin and the host
 * load different copies of this package (the classes are recognised by a shared brand); across
 * worker threads, where errors arrive as copies, check `code` or `name`.
 */
export class PluginError extends Error {
  override readonly name: string = 'PluginError';
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'plugin_error';
  }
}
brand(PluginError, 'PluginError');

/** The plugin's configuration does not match its `configSchema`; the plugin is not started. */
export class PluginConfigError extends PluginError {
  override readonly name = 'PluginConfigError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'plugin_config_invalid', ...options });
  }
}
brand(PluginConfigError, 'PluginConfigError');

/** A hook did not finish within its time budget; the host went on without its result. */
export class PluginTimeoutError extends PluginError {
  override readonly name = 'PluginTimeoutError';

  constructor(
    message: string,
    readonly budgetMs: number,
  ) {
    super(message, { code: 'plugin_timeout' });
  }
}
brand(PluginTimeoutError, 'PluginTimeoutError');
