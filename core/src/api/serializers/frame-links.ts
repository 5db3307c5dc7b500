import type { SourceFrame } from '@faultline/plugin-sdk';
import type { SentryFrame } from './event-entries';
import type { SentryEvent } from './event';

/** Asks the plugins for links: one URL or null per frame (see `PluginSourceLinks`). */
export type SourceLinker = (
  projectId: number,
  release: string | null,
  frames: SourceFrame[],
) => Promise<(string | null)[]>;

/** The event's frames that carry a stack trace a reader follows: exceptions' and the event's own. */
function framesOf(event: SentryEvent): SentryFrame[] {
  return event.entries.flatMap((entry) => {
    if (entry.type === 'exception') return entry.data.values.flatMap((v) => v.stacktrace?.frames ?? []);
    if (entry.type === 'stacktrace') return entry.data.frames;
    return [];
  });
}

/** A serialized frame in the stored event's shape, which is what plugins know (Sentry's field names). */
function asSourceFrame(frame: SentryFrame): SourceFrame {
  const source: SourceFrame = {};
  if (frame.filename !== null) source.filename = frame.filename;
  if (frame.absPath !== null) source.abs_path = frame.absPath;
  if (frame.module !== null) source.module = frame.module;
  if (frame.function !== null) source.function = frame.function;
  if (frame.lineNo !== null) source.lineno = frame.lineNo;
  return source;
}

/**
 * Sets `sourceLink` on the event's in-app frames that a plugin links (library frames are not the
 * project's code, so no mapping could place them). Changes the event it is given and returns it.
 */
export async function addSourceLinks(
  event: SentryEvent,
  linker: SourceLinker | undefined,
): Promise<SentryEvent> {
  if (!linker) return event;
  const frames = framesOf(event).filter((frame) => frame.inApp);
  if (frames.length === 0) return event;
  const links = await linker(
    Number(event.projectID),
    event.release?.version ?? null,
    frames.map(asSourceFrame),
  );
  frames.forEach((frame, i) => {
    if (links[i]) frame.sourceLink = links[i];
  });
  return event;
}
