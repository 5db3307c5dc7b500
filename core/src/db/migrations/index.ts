import type { Knex } from 'knex';
import * as createAccounts from './001-create-accounts';
import * as createIngestQueue from './002-create-ingest-queue';
import * as createIssuesAndEvents from './003-create-issues-and-events';
import * as accessControl from './004-access-control';
import * as authentication from './005-authentication';
import * as sso from './006-sso';
import * as hashProjectKeySecrets from './007-hash-project-key-secrets';
import * as lz4ForEventPayloads from './008-lz4-for-event-payloads';
import * as issueChanges from './009-issue-changes';
import * as pluginStorage from './010-plugin-storage';
import * as pluginHookCursors from './011-plugin-hook-cursors';
import * as alertRules from './012-alert-rules';
import * as issueCommentsAndExternalLinks from './013-issue-comments-and-external-links';
import * as pluginSettings from './014-plugin-settings';
import * as alertFrequencyAndDigests from './015-alert-frequency-and-digests';
import * as changePruningAndCommentKinds from './016-change-pruning-and-comment-kinds';
import * as rawEventsStayUncompressed from './017-raw-events-stay-uncompressed';
import * as clientIdentity from './018-client-identity';
import * as deviceAuthorizations from './019-device-authorizations';
import * as externalIdentities from './020-external-identities';
import * as auditLogByTarget from './021-audit-log-by-target';
import * as issueSearch from './022-issue-search';
import * as issueSearchWordsColumn from './023-issue-search-words-column';
import * as integrationState from './026-integration-state';
import * as issueSearchWordsTable from './027-issue-search-words-table';
import * as changeCursors from './028-change-cursors';
import * as releases from './029-releases';
import * as issueRegressions from './030-issue-regressions';

type Migration = Knex.Migration & { config?: { transaction: boolean } };

/**
 * Migrations are listed here rather than discovered on disk, so the same list runs from TypeScript
 * sources (tests) and from the compiled build (CLI). Append only; names never change.
 *
 * Numbers are handed out ahead of time to work that lands separately, so the list may skip one for a
 * while, or gain it after higher ones ran. That is safe: knex applies whatever in this list is not yet
 * recorded as applied, in this order, and only refuses a database that applied a name missing here.
 * So migrations that land out of order must not depend on each other.
 */
const MIGRATIONS: [string, Migration][] = [
  ['001-create-accounts', createAccounts],
  ['002-create-ingest-queue', createIngestQueue],
  ['003-create-issues-and-events', createIssuesAndEvents],
  ['004-access-control', accessControl],
  ['005-authentication', authentication],
  ['006-sso', sso],
  ['007-hash-project-key-secrets', hashProjectKeySecrets],
  ['008-lz4-for-event-payloads', lz4ForEventPayloads],
  ['009-issue-changes', issueChanges],
  ['010-plugin-storage', pluginStorage],
  ['011-plugin-hook-cursors', pluginHookCursors],
  ['012-alert-rules', alertRules],
  ['013-issue-comments-and-external-links', issueCommentsAndExternalLinks],
  ['014-plugin-settings', pluginSettings],
  ['015-alert-frequency-and-digests', alertFrequencyAndDigests],
  ['016-change-pruning-and-comment-kinds', changePruningAndCommentKinds],
  ['017-raw-events-stay-uncompressed', rawEventsStayUncompressed],
  ['018-client-identity', clientIdentity],
  ['019-device-authorizations', deviceAuthorizations],
  ['020-external-identities', externalIdentities],
  ['021-audit-log-by-target', auditLogByTarget],
  ['022-issue-search', issueSearch],
  ['023-issue-search-words-column', issueSearchWordsColumn],
  ['026-integration-state', integrationState],
  ['027-issue-search-words-table', issueSearchWordsTable],
  ['028-change-cursors', changeCursors],
  ['029-releases', releases],
  ['030-issue-regressions', issueRegressions],
];

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`Unknown migration ${name}`);
    return found[1];
  },
};
