import type { Knex } from 'knex';
import type { AccountsRepository } from '../accounts';
import type { AuthServices } from '../auth';
import type { Config } from '../config';
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
   * Ids of the loaded plugins that alert rule actions may name; a rule naming any other plugin is
   * refused. Absent: no plugin is loaded in this process, so every action is refused.
   */
  actionPlugins?: () => readonly string[];
}
