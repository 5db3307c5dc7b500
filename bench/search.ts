/**
 * Issue search benchmark: `npm run bench:search` (after `tsc -b`).
 *
 * Fills a fresh database (Postgres at TEST_DATABASE_URL, or --database=embedded for PGlite) with N
 * issues (default 100,000; --issues / BENCH_SEARCH_ISSUES, up to 1,000,000) spread over 20
 * projects, with titles and culprits drawn from real exception shapes, levels, statuses, times,
 * counts, assignees and four tags each (environment, release, browser.name, os.name), generated
 * set-wise in the database with progress. It then runs each query shape R times (--repeat /
 * BENCH_SEARCH_REPEAT, default 20) with varied values, through the search adapter the API uses
 * (parse + Postgres, one page of 25, sorted by last seen), and for the free-text shapes the naive
 * baseline in the same run (`ILIKE '%word%'` on title and culprit, as Faultline did before
 * issue 16). Prints p50/p99 per shape and the search indexes' sizes.
 *
 * Events are not generated: issue search reads only the issue tables (issues, their tag values
 * and links), never events.
 */
import 'reflect-metadata';
import type { Knex } from 'knex';
import { seedAccount } from '../core/src/api/api-test-kit';
import { PostgresIssueSearch, parseIssueSearch } from '../core/src/search';
import { openTestDatabase, type TestDatabaseKind } from '../core/src/testing/databases';
import { BenchFlags } from './lib/flags';
import { log, runBenchmark } from './lib/harness';
import { fmtMs, Samples, table } from './lib/stats';

const PROJECTS = 20;
const BATCH = 50_000;

/** Exception shapes as SDKs report them: type, value (a word from VOCABULARY is added), function. */
const SHAPES: [string, string, string][] = [
  ['TypeError', "Cannot read properties of undefined (reading '%')", 'render'],
  ['TypeError', '% is not a function', 'dispatch'],
  ['ReferenceError', '% is not defined', 'bootstrap'],
  ['RangeError', 'Invalid array length in %', 'paginate'],
  ['SyntaxError', 'Unexpected token < in JSON at position % ', 'parseResponse'],
  ['Error', 'Request failed with status code 502 for %', 'fetchOrders'],
  ['Error', 'timeout of 30000ms exceeded calling %', 'callService'],
  ['ValueError', 'invalid literal for int() with base 10: %', 'parse_amount'],
  ['KeyError', "'%'", 'get_setting'],
  ['AttributeError', "'NoneType' object has no attribute '%'", 'checkout'],
  ['NullPointerException', 'Attempt to invoke virtual method on a null object reference %', 'onCreate'],
  ['IntegrityError', 'duplicate key value violates unique constraint "%_pkey"', 'save'],
  ['ConnectionRefusedError', 'connect ECONNREFUSED 10.0.0.7:5432 (%)', 'connect'],
  ['ZeroDivisionError', 'division by zero in %', 'average'],
];
const WORDS = [
  'cart',
  'invoice',
  'customer',
  'payment',
  'session',
  'shipment',
  'coupon',
  'profile',
  'inventory',
  'ledger',
];
const VOCABULARY_SIZE = 2_000;
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge', 'Opera'];

/** Fills the tables set-wise; `g` numbers the issues, and every choice is a function of it. */
async function generate(knex: Knex, issues: number, projectIds: number[], userId: number): Promise<void> {
  const started = Date.now();
  for (let from = 1; from <= issues; from += BATCH) {
    const to = Math.min(issues, from + BATCH - 1);
    const before: number = (await knex('issues').max('id as id').first())?.id ?? 0;
    await knex.raw(
      `INSERT INTO issues (project_id, short_id, type, title, culprit, metadata, level, platform, status, substatus,
         first_seen, last_seen, times_seen, user_count, first_release, assigned_user_id, is_unhandled)
       SELECT pid, g, 'error', s.type || ': ' || s.value, 'src/' || s.fn || '.js in ' || s.fn,
         json_build_object('type', s.type, 'value', s.value, 'function', s.fn),
         (ARRAY['error','error','error','warning','fatal','info'])[1 + g % 6], 'javascript',
         (ARRAY['unresolved','unresolved','unresolved','resolved','ignored'])[1 + (g / 7) % 5],
         CASE WHEN (g / 7) % 5 < 3 THEN (ARRAY['new','ongoing','regressed'])[1 + g % 3] END,
         now() - (g % 90) * interval '1 day' - (g % 1440) * interval '1 minute',
         now() - (g % 30) * interval '1 hour',
         1 + (g::bigint * 7919) % 1000, 1 + (g::bigint * 104729) % 100, 'app@' || (g % 50),
         CASE WHEN g % 10 = 0 THEN ?::int END, g % 3 = 0
       FROM generate_series(?::int, ?::int) g
       CROSS JOIN LATERAL (SELECT (?::int[])[1 + g % ${PROJECTS}] AS pid) p
       CROSS JOIN LATERAL (
         SELECT (?::text[])[1 + g % ${SHAPES.length}] AS type,
                replace((?::text[])[1 + g % ${SHAPES.length}], '%',
                        (?::text[])[1 + (g / 3) % ${WORDS.length}] || (g % ${VOCABULARY_SIZE})) AS value,
                (?::text[])[1 + g % ${SHAPES.length}] AS fn
       ) s`,
      [
        userId,
        from,
        to,
        projectIds,
        SHAPES.map((s) => s[0]),
        SHAPES.map((s) => s[1]),
        WORDS,
        SHAPES.map((s) => s[2]),
      ],
    );
    await knex.raw(
      `INSERT INTO issue_tag_values (issue_id, key, value, times_seen, first_seen, last_seen)
       SELECT i.id, t.key, t.value, i.times_seen, i.first_seen, i.last_seen
       FROM issues i CROSS JOIN LATERAL (VALUES
         ('environment', (ARRAY['production','production','staging'])[1 + i.id % 3]),
         ('release', i.first_release),
         ('browser.name', (?::text[])[1 + (i.id / 11) % ${BROWSERS.length}]),
         ('os.name', (ARRAY['Windows','macOS','Linux','Android','iOS'])[1 + i.id % 5])
       ) t(key, value)
       WHERE i.id > ?`,
      [BROWSERS, before],
    );
    const seconds = (Date.now() - started) / 1000;
    log(
      `generated ${to.toLocaleString('en-US')} / ${issues.toLocaleString('en-US')} issues (${seconds.toFixed(0)} s)`,
    );
  }
  await knex.raw('ANALYZE issues');
  await knex.raw('ANALYZE issue_tag_values');
}

/** A query shape: the search text for the i-th run, and the naive baseline's free text if any. */
interface Shape {
  name: string;
  query: (i: number) => string;
  baseline?: (i: number) => string;
  everyProject?: boolean;
}

const word = (i: number) => `${WORDS[i % WORDS.length]}${(i * 37) % VOCABULARY_SIZE}`;

const QUERY_SHAPES: Shape[] = [
  { name: 'status (the default list)', query: () => 'is:unresolved' },
  { name: 'status + one tag', query: (i) => `is:unresolved browser.name:${BROWSERS[i % BROWSERS.length]}` },
  { name: 'status + one word', query: (i) => `is:unresolved ${word(i)}`, baseline: word },
  {
    name: 'status + a word prefix',
    query: (i) => `is:unresolved ${word(i).slice(0, 5)}`,
    baseline: (i) => word(i).slice(0, 5),
  },
  {
    name: 'status + phrase',
    query: () => 'is:unresolved "is not defined"',
    baseline: () => 'is not defined',
  },
  { name: 'level + count + age', query: (i) => `level:error timesSeen:>${500 + i} age:-7d` },
  { name: 'assigned:me unresolved', query: () => 'assigned:me is:unresolved' },
  { name: 'OR of error types', query: () => 'error.type:TypeError OR error.type:RangeError' },
  { name: 'wildcard title', query: (i) => `title:*${word(i)}*` },
  { name: 'negated tag', query: () => 'is:unresolved !browser.name:Chrome' },
  { name: 'release:latest', query: () => 'release:latest' },
  {
    name: 'every project + one word',
    query: (i) => `is:unresolved ${word(i)}`,
    baseline: word,
    everyProject: true,
  },
];

async function indexSizes(knex: Knex): Promise<string[][]> {
  const rows: { name: string; size: string }[] = (
    await knex.raw(
      `SELECT c.relname AS name, pg_size_pretty(pg_relation_size(c.oid)) AS size FROM pg_class c
       WHERE c.relname IN ('issues', 'issue_tag_values', 'issue_search_words', 'issue_search_words_words',
                           'issue_tag_values_by_value',
                           'issues_project_status_last_seen', 'issues_project_id_last_seen_index')`,
    )
  ).rows;
  return rows.map((row) => [row.name, row.size]);
}

async function main(): Promise<void> {
  const flags = new BenchFlags(process.argv.slice(2));
  const issues = flags.num('issues', 'BENCH_SEARCH_ISSUES', 100_000, 100, 1_000_000);
  const repeat = flags.num('repeat', 'BENCH_SEARCH_REPEAT', 20, 1, 1_000);
  const kind = (flags.text('database', 'BENCH_DATABASE') ?? 'postgres') as TestDatabaseKind;
  const db = await openTestDatabase(kind);
  try {
    const knex = db.knex;
    const seeded = await seedAccount(knex, {
      organization: 'bench',
      project: 'p0',
      email: 'bench@faultline.test',
    });
    const organizationId: number = (await knex('projects').where('id', seeded.projectId).first())
      .organization_id;
    const more: { id: number }[] = await knex('projects')
      .insert(
        Array.from({ length: PROJECTS - 1 }, (_, k) => ({
          organization_id: organizationId,
          slug: `p${k + 1}`,
          name: `p${k + 1}`,
          platform: 'javascript',
        })),
      )
      .returning('id');
    const projectIds = [seeded.projectId, ...more.map((p) => p.id)];
    log(`generating ${issues.toLocaleString('en-US')} issues in ${PROJECTS} projects on ${kind}`);
    await generate(knex, issues, projectIds, seeded.userId);

    const search = new PostgresIssueSearch(knex);
    const rows = [['shape', 'search p50', 'search p99', 'ILIKE p50', 'ILIKE p99', 'example']];
    for (const shape of QUERY_SHAPES) {
      log(`running "${shape.name}" ${repeat} times`);
      const measured = new Samples();
      const naive = new Samples();
      for (let i = 0; i < repeat; i++) {
        const scope = shape.everyProject ? undefined : [projectIds[i % PROJECTS]];
        const started = performance.now();
        const expression = parseIssueSearch(shape.query(i), { userId: seeded.userId, now: new Date() });
        await search.search({
          organizationIds: [organizationId],
          projectIds: scope,
          expression,
          sort: 'date',
          limit: 25,
          offset: 0,
        });
        measured.add(performance.now() - started);
        if (shape.baseline) {
          const text = `%${shape.baseline(i)}%`;
          const naiveStarted = performance.now();
          const query = knex('issues as i')
            .where('i.status', 'unresolved')
            .where((q) => q.where('i.title', 'ilike', text).orWhere('i.culprit', 'ilike', text))
            .select('i.id')
            .orderBy([
              { column: 'i.last_seen', order: 'desc' },
              { column: 'i.id', order: 'desc' },
            ])
            .limit(25);
          if (scope) query.whereIn('i.project_id', scope);
          await query;
          naive.add(performance.now() - naiveStarted);
        }
      }
      const s = measured.summary();
      const n = naive.summary();
      rows.push([shape.name, fmtMs(s.p50), fmtMs(s.p99), fmtMs(n.p50), fmtMs(n.p99), shape.query(1)]);
    }
    console.log(
      `\n${issues.toLocaleString('en-US')} issues, ${PROJECTS} projects, ${repeat} runs per shape, ${kind}\n`,
    );
    console.log(table(rows));
    console.log(`\n${table([['relation', 'size'], ...(await indexSizes(knex))])}`);
  } finally {
    await db.close();
  }
}

runBenchmark(main);
