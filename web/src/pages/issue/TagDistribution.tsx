import type { TagKey } from '../../api/issues';

/** A share in whole percent, or "<1%" for a value seen but rarely. */
export function percent(count: number, total: number): string {
  if (total === 0) return '0%';
  const share = (count / total) * 100;
  return share > 0 && share < 1 ? '<1%' : `${Math.round(share)}%`;
}

/** Per tag key, its most frequent values among the events, with their share. */
export function TagDistribution({ tags }: { tags: TagKey[] }) {
  if (tags.length === 0) return <p className="muted">The events carry no tags.</p>;
  return (
    <div className="tag-keys">
      {tags.map((tag) => (
        <section key={tag.key} className="tag-key" aria-label={`Tag ${tag.key}`}>
          <h3>{tag.name || tag.key}</h3>
          <ul>
            {tag.topValues.map((value) => (
              <li key={value.value}>
                <span className="tag-value">{value.name || value.value}</span>
                <meter min={0} max={tag.totalValues} value={value.count} aria-hidden="true" />
                <span className="num">{percent(value.count, tag.totalValues)}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
