import type { Knex } from 'knex';
import type { AccountsRepository } from '../accounts';
import type { Config } from '../config';

/** What the REST API needs from the rest of Faultline. */
export interface ApiDependencies {
  knex: Knex;
  accounts: AccountsRepository;
  config: Config;
}
