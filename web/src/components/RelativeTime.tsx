const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'narrow' });

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "3 min ago", with the exact time in a tooltip and for screen readers' `dateTime`. */
export function RelativeTime({ iso }: { iso: string }) {
  const date = new Date(iso);
  let value = (date.getTime() - Date.now()) / 1000;
  let unit: Intl.RelativeTimeFormatUnit = 'second';
  for (const [step, size] of STEPS) {
    unit = step;
    if (Math.abs(value) < size) break;
    value /= size;
  }
  return (
    <time dateTime={iso} title={date.toLocaleString()}>
      {format.format(Math.round(value), unit)}
    </time>
  );
}
