import type { NormalizedEvent } from '../events/types';

/** `%s`, `%d`, `%(name)s`, `{}`, `{0}`, `{name}`: the parameter slots of logging templates. */
const TEMPLATE_SLOT = /%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-z%]|\{[^{}]*\}/gi;

/**
 * The text a message event groups by. Sentry prefers the unformatted template (`logentry.message`,
 * e.g. `User %s not found`) because it is what stays the same; a template that is nothing but
 * slots (`%s`) would merge every message, so the formatted text is used then.
 */
export function groupingMessageText(event: NormalizedEvent): string | undefined {
  const template = event.logentry?.message;
  const formatted = event.message ?? event.logentry?.formatted;
  if (template && (!formatted || /\w/.test(template.replace(TEMPLATE_SLOT, '')))) return template;
  return formatted || template || undefined;
}

/** The formatted message text, for titles and `{{ message }}`. */
export function displayMessageText(event: NormalizedEvent): string | undefined {
  return event.message || event.logentry?.formatted || event.logentry?.message || undefined;
}
