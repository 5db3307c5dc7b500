import type { EventEntry, IssueEvent } from '../api/issues';

type EntryOf<T extends EventEntry['type']> = Extract<EventEntry, { type: T }>;

/** An event's entry of one type, if it has one. */
export function entryOf<T extends EventEntry['type']>(event: IssueEvent, type: T): EntryOf<T> | undefined {
  return event.entries.find((entry): entry is EntryOf<T> => entry.type === type);
}

/** A value as people read it: strings as they are, anything else as compact JSON. */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Names and values (`[name, value]`, as the API sends headers and query strings), listed. */
function Pairs({ pairs, label }: { pairs: readonly (readonly unknown[])[]; label: string }) {
  const present = pairs.filter(([, value]) => value !== null && value !== undefined && value !== '');
  if (present.length === 0) return null;
  return (
    <dl className="pairs" aria-label={label}>
      {present.map(([key, value], index) => (
        <div key={index}>
          <dt>{String(key)}</dt>
          <dd>{shown(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Breadcrumbs({ entry }: { entry: EntryOf<'breadcrumbs'> }) {
  const crumbs = entry.data.values;
  return (
    <section aria-label="Breadcrumbs">
      <h3>Breadcrumbs</h3>
      <ol className="breadcrumbs">
        {crumbs.map((crumb, index) => (
          <li key={index} className={`crumb level-${crumb.level}`}>
            <span className="crumb-category">{crumb.category ?? crumb.type}</span>
            <span className="crumb-message">{crumb.message ?? (crumb.data ? shown(crumb.data) : '')}</span>
            {crumb.timestamp && (
              <time className="muted" dateTime={crumb.timestamp}>
                {new Date(crumb.timestamp).toLocaleTimeString()}
              </time>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function RequestDetails({ entry }: { entry: EntryOf<'request'> }) {
  const request = entry.data;
  return (
    <section aria-label="Request">
      <h3>Request</h3>
      <p className="request-line">
        <code>
          {request.method ?? 'GET'} {request.url}
        </code>
      </p>
      <Pairs label="Query" pairs={request.query} />
      <Pairs label="Headers" pairs={request.headers} />
    </section>
  );
}

export function UserDetails({ user }: { user: NonNullable<IssueEvent['user']> }) {
  return (
    <section aria-label="User">
      <h3>User</h3>
      <Pairs
        label="User"
        pairs={[
          ['id', user.id],
          ['email', user.email],
          ['username', user.username],
          ['name', user.name],
          ['ip address', user.ip_address],
          ...Object.entries(user.data ?? {}),
        ]}
      />
    </section>
  );
}

/** The contexts people look for first; others follow in the order the SDK sent them. */
const KNOWN_CONTEXTS = ['os', 'browser', 'runtime', 'device'];
const CONTEXT_TITLES: Record<string, string> = {
  os: 'OS',
  browser: 'Browser',
  runtime: 'Runtime',
  device: 'Device',
};

export function Contexts({ contexts }: { contexts: IssueEvent['contexts'] }) {
  const names = Object.keys(contexts).sort(
    (a, b) => rank(a) - rank(b) || Object.keys(contexts).indexOf(a) - Object.keys(contexts).indexOf(b),
  );
  if (names.length === 0) return null;
  return (
    <section aria-label="Contexts">
      <h3>Contexts</h3>
      <div className="contexts">
        {names.map((name) => {
          const context = contexts[name];
          const fields =
            context && typeof context === 'object' ? Object.entries(context as Record<string, unknown>) : [];
          return (
            <div key={name} className="context-card">
              <h4>{CONTEXT_TITLES[name] ?? name}</h4>
              <Pairs label={`Context ${name}`} pairs={fields.filter(([key]) => key !== 'type')} />
            </div>
          );
        })}
      </div>
    </section>
  );
}

function rank(name: string): number {
  const index = KNOWN_CONTEXTS.indexOf(name);
  return index === -1 ? KNOWN_CONTEXTS.length : index;
}

export function SdkDetails({ sdk }: { sdk: NonNullable<IssueEvent['sdk']> }) {
  return (
    <p className="muted sdk">
      SDK: {sdk.name ?? 'unknown'} {sdk.version ?? ''}
    </p>
  );
}
