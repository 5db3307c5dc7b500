import type { Knex } from 'knex';
import type { Client } from '@faultline/plugin-sdk';
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
export interface TokenOwner {
  tokenId: number;
  user: User | null;
  /** Set for an organization service token: the only organization it reaches. */
  organizationId: number | null;
  scopes: string[];
  /** The client the token was issued to (`plugin-sdk`'s CLIENTS). */
  client: Client;
}

/** Reads and writes organizations, projects, keys, users and tokens. Thin: no rules live here. */
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

  /**
   * Creates an organization service token (no user; for CI and the Slack app) and returns it in
   * clear; it is not retrievable afterwards.
   */
  async createOrganizationToken(
    organizationId: number,
    createdByUserId: number | null,
    name: string,
    scopes: string[],
  ): Promise<{ id: number; token: string }> {
    const token = newApiToken();
    const [row] = await this.knex('api_tokens')
      .insert({
        organization_id: organizationId,
        created_by_user_id: createdByUserId,
        name,
        token_hash: hashToken(token),
        token_last_characters: token.slice(-4),
        scopes,
      })
      .returning('id');
    return { id: row.id, token };
  }

  /** Tokens not revoked (deleted) and not expired. */
  private liveTokens(): Knex.QueryBuilder {
    return this.knex('api_tokens as t').andWhere((q) =>
      q.whereNull('t.expires_at').orWhere('t.expires_at', '>', this.knex.fn.now()),
    );
  }

  /** Whether token `tokenId` is still usable: not revoked, not expired. */
  async isTokenLive(tokenId: number): Promise<boolean> {
    return (await this.liveTokens().where('t.id', tokenId).first('t.id')) !== undefined;
  }

  async findToken(token: string): Promise<TokenOwner | undefined> {
    const row = await this.liveTokens()
      .leftJoin('users as u', 'u.id', 't.user_id')
      .where('t.token_hash', hashToken(token))
      .first(
        't.id as token_id',
        't.scopes',
        't.client',
        't.organization_id',
        'u.id',
        'u.email',
        'u.name',
        'u.is_superuser',
      );
    if (!row) return undefined;
    return {
      tokenId: row.token_id,
      scopes: row.scopes,
      client: row.client,
      organizationId: row.organization_id,
      user:
        row.id === null
          ? null
          : { id: row.id, email: row.email, name: row.name, is_superuser: row.is_superuser },
    };
  }

  async touchToken(tokenId: number): Promise<void> {
    await this.knex('api_tokens').where({ id: tokenId }).update({ last_used_at: this.knex.fn.now() });
  }

  async findKeyByPublicKey(publicKey: string): Promise<ProjectKey | undefined> {
    return this.knex<ProjectKey>('project_keys').where({ public_key: publicKey }).first();
  }
}

function required<T>(row: T | undefined): T {
  if (!row) throw new Error('Row vanished right after it was ensured');
  return row;
}
