import type { Knex } from 'knex';
import { AccountsRepository } from './repository';
import { buildDsn } from './dsn';
import { ALL_SCOPES } from '../access';

export interface BootstrapOptions {
  organization: string;
  team: string;
  project: string;
  platform: string;
  email: string;
  publicUrl: string;
}

export interface BootstrapResult {
  url: string;
  dsn: string;
  token: string;
  organization: string;
  team: string;
  project: string;
  projectId: number;
  user: string;
}

/** What the bootstrap owner's token may do: everything. */
export const ADMIN_SCOPES: string[] = [...ALL_SCOPES];

/**
 * Ensures a working setup: organization, team, project with a key, and an owner with an API token.
 * Idempotent for everything but the token: each run mints a fresh token (tokens are stored hashed,
 * so an old one can't be shown again), while the DSN stays the same.
 */
export async function bootstrap(knex: Knex, options: BootstrapOptions): Promise<BootstrapResult> {
  return knex.transaction(async (trx) => {
    const repo = new AccountsRepository(trx);
    const org = await repo.ensureOrganization(options.organization, options.organization);
    const team = await repo.ensureTeam(org.id, options.team);
    const project = await repo.ensureProject(org.id, team.id, options.project, options.platform);
    const key = await repo.ensureProjectKey(project.id);
    const user = await repo.ensureUser(options.email, true);
    await repo.ensureMember(org.id, user.id, 'owner');
    await repo.ensureTeamMember(team.id, user.id);
    const token = await repo.createToken(user.id, 'bootstrap', ADMIN_SCOPES);
    return {
      url: options.publicUrl,
      dsn: buildDsn(options.publicUrl, key.public_key, project.id),
      token,
      organization: org.slug,
      team: options.team,
      project: project.slug,
      projectId: project.id,
      user: user.email,
    };
  });
}
