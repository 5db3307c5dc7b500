import { useEffect, useRef } from 'react';

/** Every kind of issue change the stream announces (docs/change-stream.md), as `issue.<kind>` events. */
const CHANGE_KINDS = [
  'created',
  'regressed',
  'events_counted',
  'state_changed',
  'assigned',
  'commented',
  'comment_edited',
  'comment_deleted',
];

export interface IssueChange {
  kind: string;
  issueId: string;
  projectId: number;
}

/** How long to wait before opening the stream again after the server closed or refused it. */
const REOPEN_MS = 3000;

/**
 * Listens to the organization's change stream (server-sent events, with the session cookie) for
 * one project while the calling page is shown. The browser's EventSource reconnects by itself and
 * resumes with Last-Event-ID after a dropped connection; when the server ends or refuses the stream
 * (a restart, an expired cursor) it is opened again from "now" and `onReopen` tells the page to
 * reload what it shows, since changes may have been missed in between.
 */
export function useIssueChanges(
  organization: string,
  projectId: string | undefined,
  onChange: (change: IssueChange) => void,
  onReopen: () => void,
): void {
  // The page's latest callbacks, without reopening the stream on every render.
  const callbacks = useRef({ onChange, onReopen });
  callbacks.current = { onChange, onReopen };
  useEffect(() => {
    if (projectId === undefined) return;
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const open = (reopened: boolean) => {
      const params = new URLSearchParams({ project: projectId });
      source = new EventSource(`/api/0/organizations/${encodeURIComponent(organization)}/changes/?${params}`);
      const listener = (message: MessageEvent<string>) => {
        try {
          callbacks.current.onChange(JSON.parse(message.data) as IssueChange);
        } catch {
          // A change this page can't read is not worth breaking the page for.
        }
      };
      for (const kind of CHANGE_KINDS) source.addEventListener(`issue.${kind}`, listener);
      if (reopened) source.addEventListener('open', () => callbacks.current.onReopen(), { once: true });
      source.onerror = () => {
        if (source?.readyState !== EventSource.CLOSED || closed) return;
        timer = setTimeout(() => open(true), REOPEN_MS);
      };
    };
    open(false);
    return () => {
      closed = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [organization, projectId]);
}
