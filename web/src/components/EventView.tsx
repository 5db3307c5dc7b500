import type { ExceptionValue, IssueEvent } from '../api/issues';
import { Breadcrumbs, Contexts, RequestDetails, SdkDetails, UserDetails, entryOf } from './EventDetails';
import { ExceptionChain } from './Exception';

/**
 * Everything an event says, in the order people read it: the exception chain (or the message),
 * breadcrumbs leading up to it, the request, the user, contexts and the SDK. Pure rendering of the
 * API's event, so it is tested from real SDK events (test/fixtures).
 */
export function EventView({ event }: { event: IssueEvent }) {
  const exception = entryOf(event, 'exception');
  const message = entryOf(event, 'message');
  const breadcrumbs = entryOf(event, 'breadcrumbs');
  const request = entryOf(event, 'request');
  return (
    <div className="event">
      {exception && <ExceptionChain values={exception.data.values as ExceptionValue[]} />}
      {message && <pre className="message">{message.data.formatted}</pre>}
      {!exception && !message && <p className="muted">This event carries no exception or message.</p>}
      {breadcrumbs && breadcrumbs.data.values.length > 0 && <Breadcrumbs entry={breadcrumbs} />}
      {request && <RequestDetails entry={request} />}
      {event.user && <UserDetails user={event.user} />}
      <Contexts contexts={event.contexts} />
      {event.sdk && <SdkDetails sdk={event.sdk} />}
    </div>
  );
}
