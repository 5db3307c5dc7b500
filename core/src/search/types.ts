/**
 * Plain facts of the search domain that its migration needs too (a domain's types.ts may be
 * imported from anywhere; see .dependency-cruiser.cjs).
 */

/**
 * The words of an issue's title, culprit and message (its exception value) as a `tsvector`, for
 * free-text search in Postgres. Punctuation becomes a space first, so `app/cart.js` holds the
 * words app, cart and js, as the parser splits what people type (`query/parse.ts`). The `simple`
 * configuration lower-cases and neither stems nor drops stop words: people search for
 * identifiers, not English.
 *
 * Migration 023 stores it as the GIN-indexed column `issues.search_words`, which the Postgres
 * adapter matches (022 indexed the expression itself), so changing it needs a new migration.
 */
export const ISSUE_WORDS_SQL =
  "to_tsvector('simple'::regconfig, regexp_replace(title || ' ' || culprit || ' ' || coalesce(metadata->>'value', ''), '[^[:alnum:]]+', ' ', 'g'))";
