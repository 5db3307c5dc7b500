import type { Knex } from 'knex';
import { ConflictError } from '../errors';

/** Sentry accepts a slug or a numeric id in URLs. */
export function whereSlugOrId(query: Knex.QueryBuilder, alias: string, slugOrId: string): void {
  query.where((q) => {
    q.where(`${alias}.slug`, slugOrId);
    if (/^\d{1,9}$/.test(slugOrId)) q.orWhere(`${alias}.id`, Number(slugOrId));
  });
}

/** A numeric id as found in a URL, or undefined for anything else (which then matches nothing). */
export function idFromPath(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** `My App!` → `my-app`: the slug an organization, team or project gets when none is given. */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return /^[0-9]*$/.test(slug) ? `x${slug}` : slug;
}

/** Postgres unique-violation: a slug (or membership) that exists already becomes a clear 409. */
export async function unlessTaken<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: unknown }).code === '23505')
      throw new ConflictError(`${what} already exists`, 'already_exists');
    throw error;
  }
}

/** An organization by its slug (exactly), e.g. one a plugin names for a link. */
export async function findOrganizationBySlug(
  knex: Knex,
  slug: string,
): Promise<{ id: number; slug: string } | undefined> {
  return knex('organizations').where({ slug }).first('id', 'slug');
}
