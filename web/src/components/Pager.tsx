/**
 * Newer / older buttons over a newest-first list paged by Sentry's `Link` cursors. The first page
 * is asked without a cursor, so "newer" is off there even when the API names a previous cursor.
 */
export function Pager(props: {
  label: string;
  /** What the list holds, e.g. "events": the buttons say "Newer events" and "Older events". */
  items: string;
  cursor: string | undefined;
  previous: string | undefined;
  next: string | undefined;
  go: (cursor: string | undefined) => void;
}) {
  const { label, items, cursor, previous, next, go } = props;
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        className="secondary"
        disabled={!previous || !cursor}
        onClick={() => go(previous)}
      >
        Newer {items}
      </button>
      <button type="button" className="secondary" disabled={!next} onClick={() => go(next)}>
        Older {items}
      </button>
    </nav>
  );
}
