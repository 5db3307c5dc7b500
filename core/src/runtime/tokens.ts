import type { InjectionToken } from 'tsyringe';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logging';
import type { Database, EventPartitions } from '../db';
import type { AccountsRepository } from '../accounts';
import type { AuthServices } from '../auth';
import type { Mailer } from '../mail';

/** Injection tokens for the services the runtime registers in its tsyringe container. */
export const TOKENS = {
  Config: Symbol('Config') as InjectionToken<Config>,
  Logger: Symbol('Logger') as InjectionToken<Logger>,
  Database: Symbol('Database') as InjectionToken<Database>,
  Knex: Symbol('Knex') as InjectionToken<Knex>,
  EventPartitions: Symbol('EventPartitions') as InjectionToken<EventPartitions>,
  Accounts: Symbol('AccountsRepository') as InjectionToken<AccountsRepository>,
  Mailer: Symbol('Mailer') as InjectionToken<Mailer>,
  Auth: Symbol('AuthServices') as InjectionToken<AuthServices>,
} as const;
