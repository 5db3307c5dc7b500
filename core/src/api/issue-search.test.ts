import { describeEachDatabase } from '../testing/databases';
import { defineIssueSearchConformance } from './issue-search-cases';

describeEachDatabase("REST API issue search: Sentry's query language (Postgres)", (ctx) =>
  defineIssueSearchConformance(ctx, async () => ({})),
);
