import type { Logger as PluginLogger } from '@faultline/plugin-sdk';
import type { Logger } from '../logging';

/** The SDK's logger interface (message first) over pino (fields first). */
export function pluginLogger(log: Logger): PluginLogger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
    child: (fields) => pluginLogger(log.child(fields)),
  };
}
