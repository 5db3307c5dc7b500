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
 * Migration 027 keeps it in the GIN-indexed table `issue_search_words`, written by a trigger when
 * an issue's title, culprit or metadata is (not on every counter update), which the Postgres adapter
 * matches; changing it needs a new migration.
 */
export const ISSUE_WORDS_SQL =
  "to_tsvector('simple'::regconfig, regexp_replace(title || ' ' || culprit || ' ' || coalesce(metadata->>'value', ''), '[^[:alnum:]]+', ' ', 'g'))";
