import type { Knex } from 'knex';
import { hashToken, newApiToken, newProjectKeyParts } from './secrets';

export interface Organization {
  id: number;
  slug: string;
  name: string;
  created_at: Date;
}

export interface Project {
  id: number;
  organization_id: number;
  slug: string;
  name: string;
  platform: string | null;
  created_at: Date;
}

export interface ProjectKey {
  id: number;
  project_id: number;
  label: string;
  public_key: string;
  /** SHA-256 (hex) of the secret key; the secret itself is shown once, at creation, and not kept. */
  secret_key_hash: string;
  is_active: boolean;
  rate_limit_count: number | null;
  rate_limit_window: number | null;
  created_at: Date;
}

export interface User {
  id: number;
  email: string;
  name: string;
  is_superuser: boolean;
}

/** Whom a token acts for: a user, or (service token) one organization with no user. */
/**
 * Ensures the organization, project, key, user and first token that `bootstrap` and the tests start
 * from, and looks up a key for ingestion. Thin: no rules live here; tokens as credentials are the
 * tokens domain's.
 */
export class AccountsRepository {
  constructor(private readonly knex: Knex) {}

  async ensureOrganization(slug: string, name: string): Promise<Organization> {
    await this.knex('organizations').insert({ slug, name }).onConflict('slug').ignore();
    return this.knex<Organization>('organizations').where({ slug }).first().then(required);
  }

  async ensureTeam(organizationId: number, slug: string): Promise<{ id: number }> {
    await this.knex('teams')
      .insert({ organization_id: organizationId, slug, name: slug })
      .onConflict(['organization_id', 'slug'])
      .ignore();
    return this.knex('teams').where({ organization_id: organizationId, slug }).first('id').then(required);
  }

  async ensureProject(
    organizationId: number,
    teamId: number,
    slug: string,
    platform: string,
  ): Promise<Project> {
    await this.knex('projects')
      .insert({ organization_id: organizationId, slug, name: slug, platform })
      .onConflict(['organization_id', 'slug'])
      .ignore();
    const project = await this.knex<Project>('projects')
      .where({ organization_id: organizationId, slug })
      .first()
      .then(required);
    await this.knex('project_teams')
      .insert({ project_id: project.id, team_id: teamId })
      .onConflict(['project_id', 'team_id'])
      .ignore();
    return project;
  }

  /**
   * The project's first active key, creating one when it has none. Only the public key matters to
   * SDKs; the secret is stored hashed and not returned (ingestion never checks it).
   */
  async ensureProjectKey(projectId: number): Promise<ProjectKey> {
    const existing = await this.knex<ProjectKey>('project_keys')
      .where({ project_id: projectId, is_active: true })
      .orderBy('id')
      .first();
    if (existing) return existing;
    const [created] = await this.knex<ProjectKey>('project_keys')
      .insert({ project_id: projectId, ...newProjectKeyParts().columns })
      .returning('*');
    return created;
  }

  async ensureUser(email: string, isSuperuser: boolean): Promise<User> {
    await this.knex('users').insert({ email, is_superuser: isSuperuser }).onConflict('email').ignore();
    return this.knex<User>('users')
      .where({ email })
      .first('id', 'email', 'name', 'is_superuser')
      .then(required);
  }

  async ensureMember(organizationId: number, userId: number, role: string): Promise<void> {
    await this.knex('organization_members')
      .insert({ organization_id: organizationId, user_id: userId, role })
      .onConflict(['organization_id', 'user_id'])
      .ignore();
  }

  async ensureTeamMember(teamId: number, userId: number): Promise<void> {
    await this.knex('team_members')
      .insert({ team_id: teamId, user_id: userId })
      .onConflict(['team_id', 'user_id'])
      .ignore();
  }

  /** Creates a token and returns it in clear; it is not retrievable afterwards. */
  async createToken(userId: number, name: string, scopes: string[]): Promise<string> {
    const token = newApiToken();
    await this.knex('api_tokens').insert({
      user_id: userId,
      name,
      token_hash: hashToken(token),
      token_last_characters: token.slice(-4),
      scopes,
    });
    return token;
  }

  async findKeyByPublicKey(publicKey: string): Promise<ProjectKey | undefined> {
    return this.knex<ProjectKey>('project_keys').where({ public_key: publicKey }).first();
  }
}

function required<T>(row: T | undefined): T {
  if (!row) throw new Error('Row vanished right after it was ensured');
  return row;
}
