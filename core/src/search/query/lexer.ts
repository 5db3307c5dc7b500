import { SearchSyntaxError } from './errors';

/**
 * Splits a search string into tokens that remember where they start, so every later error can
 * point at what the person typed. Whitespace separates tokens except inside double quotes and
 * `[…]` lists; `(` (or `!(`, negated) opens a group at the start of a token and `)` closes one
 * at its end.
 */

export type Token =
  /** `not` is the `!` of `!(…)`, which negates the group. */
  | { kind: 'open' | 'close' | 'or' | 'and' | 'not'; text: string; start: number }
  /** `!key:value` (negated) or `key:value`; `value` is raw (quotes and brackets kept). */
  | { kind: 'filter'; text: string; start: number; negated: boolean; key: string; value: string }
  /** A word or a quoted phrase (`quoted`: the quotes removed from `value`). */
  | { kind: 'text'; text: string; start: number; quoted: boolean; value: string };

/** A key is a name (`level`, `browser.name`, `error.type`) or an explicit tag, `tags[any key]`. */
const FILTER = /^(!?)(tags\[[^\]]+\]|[A-Za-z_][\w.-]*):(.*)$/s;

/** Reads a double-quoted string starting at `start`; `\"` and `\\` are escapes. Returns its end. */
function quotedEnd(query: string, start: number): number {
  for (let i = start + 1; i < query.length; i++) {
    if (query[i] === '\\') i++;
    else if (query[i] === '"') return i + 1;
  }
  throw new SearchSyntaxError('this quote is never closed', query.slice(start), start);
}

export function unescapeQuoted(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

/** The end of the bare (unquoted) word starting at `start`. */
function wordEnd(query: string, start: number): number {
  let i = start;
  let bracket = -1;
  while (i < query.length) {
    const ch = query[i];
    if (ch === '"') i = quotedEnd(query, i);
    else if (ch === '[') {
      bracket = i;
      i++;
    } else if (ch === ']' && bracket >= 0) {
      bracket = -1;
      i++;
    } else if (bracket < 0 && (/\s/.test(ch) || ch === ')')) break;
    else i++;
  }
  if (bracket >= 0)
    throw new SearchSyntaxError('this list is never closed with "]"', query.slice(bracket, i), bracket);
  return i;
}

function classify(text: string, start: number): Token {
  if (text === 'OR') return { kind: 'or', text, start };
  if (text === 'AND') return { kind: 'and', text, start };
  const filter = FILTER.exec(text);
  // `http://…` is a URL typed as free text, not a search of the tag "http".
  if (filter && !filter[3].startsWith('//')) {
    const [, bang, key, value] = filter;
    return { kind: 'filter', text, start, negated: bang === '!', key, value };
  }
  return { kind: 'text', text, start, quoted: false, value: text };
}

export function tokenize(query: string): Token[] {
  const nul = query.indexOf('\u0000');
  // Postgres text can't hold NUL; refused here rather than failing in the database.
  if (nul >= 0) throw new SearchSyntaxError('the search contains a NUL character', '\\u0000', nul);
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i];
    if (/\s/.test(ch)) i++;
    else if (ch === '!' && query[i + 1] === '(') {
      tokens.push({ kind: 'not', text: ch, start: i });
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'open' : 'close', text: ch, start: i });
      i++;
    } else if (ch === '"') {
      const end = quotedEnd(query, i);
      const text = query.slice(i, end);
      tokens.push({ kind: 'text', text, start: i, quoted: true, value: unescapeQuoted(text) });
      i = end;
    } else {
      const end = wordEnd(query, i);
      tokens.push(classify(query.slice(i, end), i));
      i = end;
    }
  }
  return tokens;
}
