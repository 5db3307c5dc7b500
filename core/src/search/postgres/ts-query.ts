/**
 * `to_tsquery` text for the words of one typed word or phrase (letters and digits only, as the
 * parser split them, so nothing to quote), matched against `ISSUE_WORDS_SQL` (`../types.ts`):
 * they follow each other (`<->`), and the last matches as a prefix (`:*`), so results come while
 * a word is still being typed.
 */
export function tsQueryText(words: string[]): string {
  return words.map((word, i) => (i === words.length - 1 ? `${word}:*` : word)).join(' <-> ');
}
