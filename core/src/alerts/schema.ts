import { z } from 'zod';
import { LEVELS } from './rules';

/** A trigger as the REST API takes it (Sentry calls these `conditions`). */
export const triggerSchema = z.discriminatedUnion('id', [
  z.strictObject({ id: z.literal('issue.created') }),
  z.strictObject({ id: z.literal('issue.regressed') }),
  z.strictObject({
    id: z.literal('issue.state_changed'),
    to: z.enum(['resolved', 'unresolved', 'ignored']).optional(),
  }),
]);

export const filterSchema = z.discriminatedUnion('id', [
  z.strictObject({ id: z.literal('level'), match: z.enum(['eq', 'gte', 'lte']), level: z.enum(LEVELS) }),
  z.strictObject({
    id: z.literal('issue_age'),
    comparison: z.enum(['older', 'newer']),
    minutes: z.number().int().min(0),
  }),
  z.strictObject({ id: z.literal('times_seen'), value: z.number().int().min(0) }),
]);

export const actionSchema = z.strictObject({
  plugin: z.string().trim().min(1).max(200),
  config: z.record(z.string(), z.unknown()).default({}),
});
