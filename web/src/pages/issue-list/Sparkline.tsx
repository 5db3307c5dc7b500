/** Sentry's issue stats: `[unix seconds, events]` per bucket, oldest first. */
export type StatsSeries = number[][];

const WIDTH = 96;
const HEIGHT = 24;

/**
 * A row's events over the period as bars (SVG attributes only: the page's CSP allows no inline
 * style). The label says the total in words for screen readers.
 */
export function Sparkline({ series, period }: { series: StatsSeries | undefined; period: string }) {
  if (!series || series.length === 0) return null;
  const max = Math.max(1, ...series.map(([, count]) => count));
  const total = series.reduce((sum, [, count]) => sum + count, 0);
  const step = WIDTH / series.length;
  return (
    <svg
      className="sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`${total.toLocaleString()} events in the last ${period}`}
    >
      {series.map(([time, count], index) => {
        // A bucket with events stays visible however small next to the busiest one.
        const height = count === 0 ? 0 : Math.max(2, (count / max) * HEIGHT);
        return (
          <rect
            key={time}
            x={index * step}
            y={HEIGHT - height}
            width={Math.max(1, step - 1)}
            height={height}
          />
        );
      })}
    </svg>
  );
}
