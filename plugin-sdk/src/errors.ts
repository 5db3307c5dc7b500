/**
 * Errors a plugin may throw, and that the host reports about plugins. Each has a machine-readable
 * `code` and a message that says what to fix. Check them by `code` (or `name`), not `instanceof`:
 * a plugin and the host may load different copies of this package.
 */
export class PluginError extends Error {
  override readonly name: string = 'PluginError';
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'plugin_error';
  }
}

/** The plugin's configuration does not match its `configSchema`; the plugin is not started. */
export class PluginConfigError extends PluginError {
  override readonly name = 'PluginConfigError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'plugin_config_invalid', ...options });
  }
}

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
