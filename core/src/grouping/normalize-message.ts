/**
 * Message normalization for grouping: the parts of a message that vary per occurrence (ids, emails,
 * addresses, timestamps, numbers…) are replaced with placeholders so that "User 123 not found" and
 * "User 456 not found" hash alike. Modelled on Sentry's `normalize_message_for_grouping`, with
 * a few additions (hostnames, short hex hashes, bare times, long mixed ids, `="…"` values).
 */

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const WEEKDAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const H16 = '[0-9a-f]{1,4}';
const CLOCK = '[0-2]?\\d:[0-5]\\d:[0-5]\\d(?:[.,]\\d+)?';
const ZONE = '(?:z|[+-][0-2]\\d:?[0-5]\\d)';
/** A token boundary: not inside a word. `_` and `-` count as separators so `order_123` is caught. */
const START = '(?<![0-9a-z])';
const END = '(?![0-9a-z])';
/**
 * Top-level domains recognised in bare hostnames. Deliberately partial: TLDs that double as file
 * extensions or JS property names (`.js`, `.py`, `.at`, `.be`, `.to`, `.is`…) are left out so that
 * `inventory.js` or `expect(x).to.be` stay untouched.
 */
const TLD =
  '(?:com|net|org|edu|gov|mil|int|io|co|uk|de|fr|eu|us|ca|au|nl|se|ch|jp|cn|ru|br|info|biz|cloud|' +
  'internal|local|localdomain|lan|corp|home|example|test|invalid)';

/** Placeholder name → pattern. Where two match at the same position, the earlier entry wins. */
const PARAMETERS: ReadonlyArray<readonly [string, string]> = [
  ['quoted_str', `=(?:'[^'\\n]*'|"[^"\\n]*")`],
  ['email', `(?<![\\w.%+-])[\\w.%+-]+@[a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)*`],
  ['url', `(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://[^\\s'"<>]*[^\\s'"<>.,;:!?)\\]}]`],
  ['uuid', `${START}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}${END}`],
  [
    'date',
    [
      // ISO 8601 / RFC 3339 date, optionally with a time and zone.
      `${START}\\d{4}-[01]\\d-[0-3]\\d(?:[t ]${CLOCK}${ZONE}?|[t ][0-2]\\d:[0-5]\\d${ZONE}?)?${END}`,
      // JavaScript's Date#toString(): "Tue Jun 04 2024 12:00:00 GMT+0000 (Coordinated Universal Time)".
      `\\b${WEEKDAY}\\s+${MONTH}\\s+\\d{1,2}\\s+\\d{4}(?:\\s+${CLOCK})?(?:\\s+gmt[+-]\\d{4})?(?:\\s+\\([^)\\n]*\\))?`,
      // ctime: "Tue Jun  4 12:00:00 2024".
      `\\b(?:${WEEKDAY}\\s+)?${MONTH}\\s+\\d{1,2}\\s+${CLOCK}\\s+\\d{4}\\b`,
      // RFC 2822: "Tue, 4 Jun 2024 12:00:00 +0000".
      `\\b(?:${WEEKDAY},\\s+)?\\d{1,2}\\s+${MONTH}\\s+\\d{4}\\s+[0-2]\\d:[0-5]\\d(?::[0-5]\\d)?\\s+(?:[+-]\\d{4}|gmt|utc?|[ecmp][sd]t)\\b`,
      'datetime\\.datetime\\([^)\\n]*\\)',
    ].join('|'),
  ],
  ['time', `(?<![\\w:.])${CLOCK}${ZONE}?(?![\\w:])`],
  [
    'ip',
    [
      `(?<![\\w.])${IPV4}(?!\\.?\\w)`,
      // IPv6, full or `::`-compressed (optionally with an embedded IPv4 or a zone id). The lookahead
      // wants a digit so that `Foo::bar` style names are not taken for addresses.
      `(?<![\\w:])(?=[0-9a-f:]*\\d)(?:(?:${H16}:){7}${H16}|(?:${H16}:){0,6}(?:${H16})?::(?:${H16}:){0,6}(?:${IPV4}|${H16})?)(?:%[0-9a-z]+)?(?![\\w:])`,
    ].join('|'),
  ],
  ['hex', `${START}0x[0-9a-f]+${END}|${START}(?=[0-9a-f]*\\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}${END}`],
  // Long tokens mixing letters and digits (request ids, tokens, object ids in other encodings).
  ['id', `${START}(?=[0-9a-z]*\\d[0-9a-z]*\\d)(?=[0-9a-z]*[a-z])[0-9a-z]{16,}${END}`],
  [
    'hostname',
    `(?<![\\w.@/-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+${TLD}(?![\\w-]|\\.[a-z0-9])|(?<![\\w.-])localhost(?![\\w-])`,
  ],
  ['float', `(?<![0-9a-z.])-?\\d+(?:\\.\\d+)+`],
  ['int', `(?<![0-9a-z.])-?\\d+`],
];

const PARAMETER_PATTERN = new RegExp(
  PARAMETERS.map(([name, source]) => `(?<${name}>${source})`).join('|'),
  'gi',
);

/** The first `count` non-blank lines, each trimmed. */
export function firstNonBlankLines(text: string, count: number): string {
  return text
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, count)
    .map((line) => line.trim())
    .join('\n');
}

/** Longest text normalized; what follows can't tell issues apart (Relay trims messages here too). */
const MAX_LENGTH = 8192;

/** Replaces occurrence-specific values with placeholders and keeps the first two non-blank lines. */
export function normalizeMessage(text: string): string {
  return firstNonBlankLines(text.slice(0, MAX_LENGTH), 2).replace(
    PARAMETER_PATTERN,
    (match: string, ...args: unknown[]) => {
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      const name = PARAMETERS.find(([key]) => groups[key] !== undefined)?.[0];
      if (name === undefined) return match;
      // Keep the `=` so that only the value half of `key='value'` is replaced.
      return name === 'quoted_str' ? '=<quoted_str>' : `<${name}>`;
    },
  );
}
