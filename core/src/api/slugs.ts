import { z } from 'zod';
import { ConflictError } from '../errors';

/** Sentry's slugs: lowercase letters, digits, dashes and underscores, not only digits. */
export const slugSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^(?![0-9]+$)[a-z0-9_-]+$/, 'use lowercase letters, digits, - and _ (not only digits)');

/** `My App!` → `my-app` */
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
