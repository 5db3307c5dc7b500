import type { Knex } from 'knex';
import { AccountsRepository, type User } from '../accounts';
import { BadRequestError, NotFoundError } from '../errors';
import { PasswordHasher } from './password-hasher';
import { PasswordService } from './password-service';
import { UserCredentials } from './user-credentials';

export const ORGANIZATION_ROLES = ['owner', 'manager', 'admin', 'member', 'billing'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

export interface CreateUserInput {
  email: string;
  /** Undefined: the user can only sign in after a password reset. */
  password?: string;
  superuser?: boolean;
  /** Organization slug and role to make the user a member with; the organization must exist. */
  organization?: { slug: string; role: string };
  /** Update an existing user (password, superuser, membership) instead of refusing. */
  update?: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Creates a user (the `faultline createuser` command). The password goes through the policy before
 * anything is written; everything happens in one transaction.
 */
export async function createUser(
  knex: Knex,
  input: CreateUserInput,
  hasher: PasswordHasher = new PasswordHasher(),
): Promise<{ user: User; created: boolean }> {
  const email = input.email.trim();
  if (!EMAIL.test(email)) throw new BadRequestError(`"${email}" is not an email address`, 'invalid_email');
  const role = input.organization?.role;
  if (role !== undefined && !(ORGANIZATION_ROLES as readonly string[]).includes(role)) {
    throw new BadRequestError(
      `Unknown role "${role}"; use one of ${ORGANIZATION_ROLES.join(', ')}`,
      'invalid_role',
    );
  }
  return knex.transaction(async (trx) => {
    const existing = await new UserCredentials(trx).findByEmail(email);
    if (existing && !input.update) {
      throw new BadRequestError(
        `A user with the email ${existing.email} already exists; pass --update to change it`,
        'user_exists',
      );
    }
    const org = input.organization
      ? await trx('organizations').where({ slug: input.organization.slug }).first('id')
      : undefined;
    if (input.organization && !org) {
      throw new NotFoundError(
        `No organization with the slug "${input.organization.slug}"`,
        'organization_not_found',
      );
    }
    const accounts = new AccountsRepository(trx);
    const user = existing ?? (await accounts.ensureUser(email, input.superuser ?? false));
    if (existing && input.superuser !== undefined) {
      await trx('users').where({ id: user.id }).update({ is_superuser: input.superuser });
    }
    if (input.password !== undefined)
      await new PasswordService(trx, hasher).setPassword(user.id, input.password);
    if (org && role) {
      await trx('organization_members')
        .insert({ organization_id: org.id, user_id: user.id, role })
        .onConflict(['organization_id', 'user_id'])
        .merge({ role });
    }
    const saved = await trx('users').where({ id: user.id }).first('id', 'email', 'name', 'is_superuser');
    return { user: saved as User, created: !existing };
  });
}
