import { z } from 'zod';

/** Sentry's slugs: lowercase letters, digits, dashes and underscores, not only digits. */
export const slugSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^(?![0-9]+$)[a-z0-9_-]+$/, 'use lowercase letters, digits, - and _ (not only digits)');
