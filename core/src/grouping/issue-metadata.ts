import type { ExceptionValue, NormalizedEvent, StackFrame } from '../events/types';
import { deriveCulprit, truncate } from './culprit';
import { crashFrame, isSynthetic } from './event-stacks';
import { cleanFunctionName } from './function-name';
import { displayMessageText } from './message-text';
import { firstNonBlankLines } from './normalize-message';
import type { IssueMetadata } from './types';

const MAX_TITLE_LENGTH = 200;
/** Sentry trims the stored exception value in issue metadata to this length. */
const MAX_METADATA_VALUE_LENGTH = 1024;

/** The exception an issue is about: the newest one that is a real error, not an SDK artefact. */
function thrownException(event: NormalizedEvent): ExceptionValue | undefined {
  return event.exception?.values.findLast((exception) => !isSynthetic(exception));
}

/** `in-app-only`, `system-only` or `mixed`, over every exception's frames (Sentry's metadata key). */
function inAppFrameMix(event: NormalizedEvent): string | undefined {
  const frames: StackFrame[] = (event.exception?.values ?? []).flatMap(
    (value) => value.stacktrace?.frames ?? [],
  );
  if (frames.length === 0) return undefined;
  const inApp = frames.filter((frame) => frame.in_app === true).length;
  if (inApp === frames.length) return 'in-app-only';
  return inApp === 0 ? 'system-only' : 'mixed';
}

function errorMetadata(event: NormalizedEvent, exception: ExceptionValue): IssueMetadata {
  const frame = crashFrame(event);
  const func = frame ? cleanFunctionName(frame.function, frame.platform ?? event.platform) : undefined;
  const firstLine = exception.value ? firstNonBlankLines(exception.value, 1) : '';
  const heading = [exception.type, firstLine].filter(Boolean).join(': ');
  return {
    type: 'error',
    title: truncate(heading || func || '<unknown>', MAX_TITLE_LENGTH),
    culprit: deriveCulprit(event),
    level: event.level,
    metadata: {
      type: exception.type,
      value: exception.value === undefined ? undefined : truncate(exception.value, MAX_METADATA_VALUE_LENGTH),
      filename: frame?.filename ?? frame?.abs_path,
      function: func,
      in_app_frame_mix: inAppFrameMix(event),
    },
  };
}

function defaultMetadata(event: NormalizedEvent): IssueMetadata {
  // A synthetic exception's value is the message text; use it only if the message itself is missing.
  const text = displayMessageText(event) ?? event.exception?.values.find((value) => value.value)?.value;
  const firstLine = text ? firstNonBlankLines(text, 1) : '';
  const title = truncate(firstLine || '<unlabeled event>', MAX_TITLE_LENGTH);
  return { type: 'default', title, culprit: deriveCulprit(event), level: event.level, metadata: { title } };
}

/**
 * Title, culprit and metadata as Sentry derives them. An event is an error when it has a
 * non-synthetic exception; its title comes from the newest such exception (the one thrown, whose
 * `cause` chain precedes it). Everything else is a `default` (message) event titled by its message.
 */
export function deriveIssueMetadata(event: NormalizedEvent): IssueMetadata {
  const exception = thrownException(event);
  return exception ? errorMetadata(event, exception) : defaultMetadata(event);
}
