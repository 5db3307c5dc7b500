import type { ExceptionValue } from '../events/types';
import { type GroupingComponent, ignore, leaf, node } from './component';
import { normalizeMessage } from './normalize-message';
import { type StackVariant, stacktraceComponent } from './stacktrace';

/** An exception's normalized value, computed once for both variants (see stacktrace.ts). */
const normalizedValues = new WeakMap<ExceptionValue, string | undefined>();

function normalizedValue(exception: ExceptionValue): string | undefined {
  if (normalizedValues.has(exception)) return normalizedValues.get(exception);
  const value = exception.value ? normalizeMessage(exception.value) : undefined;
  normalizedValues.set(exception, value);
  return value;
}

/**
 * One exception: stack trace, type, value, in that order. The value only counts when no stack
 * trace contributes (messages carry ids and counts; stacks identify the bug). A synthetic
 * exception is an SDK artefact (a stack attached to a message), so only its stack trace counts.
 */
export function exceptionComponent(
  exception: ExceptionValue,
  platform: string,
  variant: StackVariant,
): GroupingComponent {
  const stacktrace = stacktraceComponent(exception.stacktrace?.frames, platform, variant);
  const type = leaf('type', exception.type);
  const value = leaf('value', normalizedValue(exception));
  if (exception.mechanism?.synthetic === true) {
    ignore(type, 'ignored because exception is synthetic');
    ignore(value, 'ignored because exception is synthetic');
  }
  if (stacktrace.contributes) ignore(value, 'ignored because stack trace takes precedence');
  return node('exception', [stacktrace, type, value]);
}

/** The whole chain, oldest first as stored, so a different cause makes a different issue. */
export function exceptionChainComponent(
  exceptions: readonly ExceptionValue[],
  platform: string,
  variant: StackVariant,
): GroupingComponent {
  const components = exceptions.map((exception) => exceptionComponent(exception, platform, variant));
  return components.length === 1 ? components[0] : node('chained-exception', components);
}
