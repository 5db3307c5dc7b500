import type { Knex } from 'knex';

/**
 * Releases as Sentry keeps them (what `sentry-cli releases …` creates and events name): an
 * organization's releases and the projects each belongs to, the repositories and commits a release
 * ships, and its deploys per environment. Independent of the other migrations after 027 (028 is
 * kept for the search index's cursors).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE releases (
      id serial PRIMARY KEY,
      organization_id int NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      version text NOT NULL,
      ref text,
      url text,
      date_created timestamptz NOT NULL DEFAULT now(),
      date_started timestamptz,
      date_released timestamptz,
      UNIQUE (organization_id, version)
    )`);
  // Per-project release lists walk this index newest first.
  await knex.raw(`
    CREATE TABLE release_projects (
      project_id int NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      release_id int NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
      PRIMARY KEY (project_id, release_id)
    )`);
  await knex.raw('CREATE INDEX release_projects_release ON release_projects (release_id)');
  await knex.raw(`
    CREATE TABLE repositories (
      id serial PRIMARY KEY,
      organization_id int NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      name text NOT NULL,
      url text,
      -- Sentry's provider id (integrations:github); null for a repository only named by commits.
      provider text,
      external_id text,
      status text NOT NULL DEFAULT 'active',
      date_created timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, name)
    )`);
  await knex.raw(`
    CREATE TABLE commits (
      id serial PRIMARY KEY,
      repository_id int NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
      sha text NOT NULL,
      message text,
      author_name text,
      author_email text,
      date_added timestamptz NOT NULL DEFAULT now(),
      -- The files the commit touched, as sentry-cli's patch_set: [{path, type: A|M|D}].
      patch_set jsonb NOT NULL DEFAULT '[]',
      UNIQUE (repository_id, sha)
    )`);
  // position 0 is the release's newest commit (its head), as Sentry orders them.
  await knex.raw(`
    CREATE TABLE release_commits (
      release_id int NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
      commit_id int NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
      position int NOT NULL,
      PRIMARY KEY (release_id, commit_id)
    )`);
  await knex.raw(`
    CREATE TABLE deploys (
      id serial PRIMARY KEY,
      release_id int NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
      environment text NOT NULL,
      name text,
      url text,
      date_started timestamptz,
      date_finished timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX deploys_release ON deploys (release_id, id)');
  // A release's new issues (Sentry's newGroups) are those first seen in it (issues/first-release.ts).
  await knex.raw(
    'CREATE INDEX issues_project_first_release ON issues (project_id, first_release) WHERE first_release IS NOT NULL',
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
