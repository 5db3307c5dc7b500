import type { Knex } from 'knex';
import type { User } from '../accounts';

export interface UserWithPassword extends User {
  password_hash: string | null;
}

const USER_COLUMNS = ['id', 'email', 'name', 'is_superuser'] as const;

/** Emails are matched case-insensitively; people type them in every case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Reads users with their password hash and writes password hashes. Thin: no rules live here. */
export class UserCredentials {
  constructor(private readonly knex: Knex) {}

  async findByEmail(email: string): Promise<UserWithPassword | undefined> {
    return this.knex('users')
      .whereRaw('lower(email) = ?', [normalizeEmail(email)])
      .orderBy('id')
      .first(...USER_COLUMNS, 'password_hash');
  }

  async findById(id: number): Promise<UserWithPassword | undefined> {
    return this.knex('users')
      .where({ id })
      .first(...USER_COLUMNS, 'password_hash');
  }

  async setPasswordHash(userId: number, passwordHash: string | null): Promise<void> {
    await this.knex('users').where({ id: userId }).update({ password_hash: passwordHash });
  }
}

export function publicUser(row: UserWithPassword): User {
  return { id: row.id, email: row.email, name: row.name, is_superuser: row.is_superuser };
}
