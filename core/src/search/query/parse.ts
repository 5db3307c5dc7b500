import { parseShortId } from '../../issues/types';
import { MATCH_ALL, type SearchExpression } from './ast';
import { SearchSyntaxError } from './errors';
import { readFilter, type SearchContext } from './keys';
import { tokenize, type Token } from './lexer';

/**
 * Parses Sentry's issue search language into a `SearchExpression`. Pure; each adapter of the
 * `IssueSearchIndex` port (`../port.ts`) translates what it returns.
 *
 * Grammar (terms side by side are ANDed; AND binds tighter than OR, as in Sentry):
 *   query := or
 *   or    := and ("OR" and)*
 *   and   := term ("AND"? term)*
 *   term  := "!"? "(" or ")" | filter | text
 */

/** Free text words are letters and digits; anything else separates them (as the index splits). */
const WORD = /[\p{L}\p{N}]+/gu;

function wordsOf(token: Extract<Token, { kind: 'text' }>): SearchExpression {
  const words = token.value.match(WORD) ?? [];
  if (words.length === 0) {
    throw new SearchSyntaxError('free text needs a letter or digit to search for', token.text, token.start);
  }
  // Words typed together (`src/pay`, `"array length"`) must appear together.
  const shortId = token.quoted ? undefined : parseShortId(token.value);
  return { kind: 'words', words, ...(shortId ? { shortId } : {}) };
}

/** Longest search read: longer ones are not typed by people, and each term costs the database. */
export const MAX_SEARCH_LENGTH = 2_000;
/** Deepest nesting of parentheses: the parser recurses, and no search needs more. */
const MAX_DEPTH = 16;

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly context: SearchContext,
  ) {}

  parse(): SearchExpression {
    if (this.tokens.length === 0) return MATCH_ALL;
    const expression = this.or();
    const extra = this.peek();
    if (extra) throw new SearchSyntaxError('this ")" closes no "("', extra.text, extra.start);
    return expression;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private or(): SearchExpression {
    const operands = [this.and()];
    while (this.peek()?.kind === 'or') {
      this.operand(this.tokens[this.index++]);
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  }

  private and(): SearchExpression {
    const operands = [this.term()];
    for (let next = this.peek(); next && next.kind !== 'or' && next.kind !== 'close'; next = this.peek()) {
      if (next.kind === 'and') this.operand(this.tokens[this.index++]);
      operands.push(this.term());
    }
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  }

  /** An operator must have something on its right. */
  private operand(operator: Token): void {
    const next = this.peek();
    if (!next || next.kind === 'close' || next.kind === 'or' || next.kind === 'and') {
      throw new SearchSyntaxError(
        `${operator.text} needs a condition on each side`,
        operator.text,
        operator.start,
      );
    }
  }

  private term(): SearchExpression {
    const token = this.tokens[this.index++];
    switch (token.kind) {
      case 'open': {
        const next = this.peek();
        if (!next || next.kind === 'close')
          throw new SearchSyntaxError('empty parentheses', token.text, token.start);
        if (++this.depth > MAX_DEPTH) {
          throw new SearchSyntaxError(`parentheses nest deeper than ${MAX_DEPTH}`, '(', token.start);
        }
        const inner = this.or();
        if (this.peek()?.kind !== 'close')
          throw new SearchSyntaxError('this "(" is never closed', '(', token.start);
        this.index++;
        this.depth--;
        return inner;
      }
      case 'not':
        // The lexer only makes `!` a token right before `(`.
        return { kind: 'not', operand: this.term() };
      case 'filter': {
        const condition = readFilter(
          { key: token.key, value: token.value, token: token.text, start: token.start },
          this.context,
        );
        return token.negated ? { kind: 'not', operand: condition } : condition;
      }
      case 'text':
        return wordsOf(token);
      case 'close':
        throw new SearchSyntaxError('this ")" closes no "("', token.text, token.start);
      default:
        throw new SearchSyntaxError(`${token.text} needs a condition on each side`, token.text, token.start);
    }
  }
}

/** Turns a search string into an expression. Throws a 400 pointing at what it can't read. */
export function parseIssueSearch(query: string, context: SearchContext): SearchExpression {
  if (query.length > MAX_SEARCH_LENGTH) {
    throw new SearchSyntaxError(
      `the search is longer than ${MAX_SEARCH_LENGTH} characters`,
      query.slice(MAX_SEARCH_LENGTH, MAX_SEARCH_LENGTH + 20),
      MAX_SEARCH_LENGTH,
    );
  }
  return new Parser(tokenize(query), context).parse();
}

export type { SearchContext };
