import type { Knex } from 'knex';
import type { AccountsRepository } from '../accounts';
import type { AlertActionPort } from '../alerts';
import type { AuthServices } from '../auth';
import type { Config } from '../config';
import type { IssueActions, PluginAdmin, PluginSourceLinks } from '../plugins';
import type { IssueSearchIndex } from '../search';
import type { ChangeStreams } from './change-streams';

/** What the REST API needs from the rest of Faultline. */
export interface ApiDependencies {
  knex: Knex;
  accounts: AccountsRepository;
  config: Config;
  /** Sessions, passwords, 2FA and their rate limits (`createAuthServices`). */
  auth: AuthServices;
  /**
   * Called after a project key changed, was rotated or deleted, so the ingest key cache of this
   * process forgets it at once (other processes pick it up within their cache lifetime).
   */
  onProjectKeyChanged?: (publicKey: string) => void;
  /** The open change streams of this process (created on first use when not given). */
  changeStreams?: ChangeStreams;
  /**
   * Checks alert rule actions against the plugins (known, enabled for the project, offering an
   * alert action, config valid). Absent: no plugin is reachable, so every action is refused.
   */
  alertActions?: AlertActionPort;
  /** Answers issue searches (the Postgres adapter over `knex` when not given). */
  issueSearch?: IssueSearchIndex;
  /** Plugin settings per organization and project (the plugin routes answer 404 without it). */
  plugins?: PluginAdmin;
  /** Plugins' issue actions (listed as none, and run as 404, without it). */
  issueActions?: IssueActions;
  /** Plugins' links from stack frames to their source (event details carry none without it). */
  sourceLinks?: Pick<PluginSourceLinks, 'linksFor'>;
  /**
   * Check every answer against its route's declared response (tests only; see contract.ts): an
   * undeclared status or shape becomes a 500 naming the mismatch.
   */
  checkAnswers?: boolean;
}
