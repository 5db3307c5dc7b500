import assert from 'node:assert/strict';
import pino from 'pino';
import { PostgresIssueSearch, TypesenseIssueSearch, reindexAllIssues, typesenseClient } from '../search';
import { startTestTypesense } from '../testing/typesense';
import { describeEachDatabase } from '../testing/databases';
import { defineIssueSearchConformance, SEARCH_EXPECTATIONS } from './issue-search-cases';

/**
 * The searches of the conformance suite Typesense can't express as Postgres answers them, so the
 * adapter hands them to Postgres (docs/search.md names the shapes). Every other search must be
 * answered by Typesense itself, with the same issues in the same order.
 */
const ANSWERED_BY_POSTGRES = new Set([
  'browser.name:Fire*', // a * wildcard
  'tags[customer]:ACME*',
  'error.value:*declined*',
  'title:rangeerror*',
  'release:latest', // needs each project's latest release
  'message:undefined', // a substring of the text
  'is:linked', // external links are no issue change
  'is:unlinked',
  '(browser.name:Chrome OR level:warning) !is:linked',
  'browser.name:Chrome OR level:warning is:linked',
  '!(is:linked OR is:assigned)',
  'issue:APP-1', // short ids
  'app-3',
  'CART is', // several words: Typesense prefixes only the last
  '"cart is"',
  '"is cart"',
  'src/pay',
  'cart undefined level:error',
]);

it('names only searches of the conformance suite as answered by Postgres', () => {
  const queries = new Set(SEARCH_EXPECTATIONS.map(([query]) => query));
  for (const query of ANSWERED_BY_POSTGRES) assert.ok(queries.has(query), query);
});

describeEachDatabase("REST API issue search: Sentry's query language (Typesense)", (ctx) =>
  defineIssueSearchConformance(ctx, async (knex) => {
    const typesense = await startTestTypesense();
    const client = typesenseClient(typesense);
    await reindexAllIssues({ knex, client, collection: typesense.collection });
    const postgres = new PostgresIssueSearch(knex);
    let postgresAnswers = 0;
    const fallback = {
      search: (request: Parameters<PostgresIssueSearch['search']>[0]) => {
        postgresAnswers++;
        return postgres.search(request);
      },
    };
    return {
      search: new TypesenseIssueSearch(
        knex,
        client,
        typesense.collection,
        fallback,
        pino({ level: 'silent' }),
      ),
      afterSearch(query) {
        assert.equal(
          postgresAnswers > 0,
          ANSWERED_BY_POSTGRES.has(query),
          `${query} was answered by ${postgresAnswers > 0 ? 'Postgres' : 'Typesense'}`,
        );
        postgresAnswers = 0;
      },
      close: () => typesense.close(),
    };
  }),
);
