import { z } from 'zod';
import { FREQUENCY_INTERVALS, LEVELS, TAG_MATCHES } from './rules';

/** The window of a frequency trigger, in minutes. */
const interval = z.literal(FREQUENCY_INTERVALS);

/** A trigger as the REST API takes it (Sentry calls these `conditions`). */
export const triggerSchema = z.discriminatedUnion('id', [
  z.strictObject({ id: z.literal('issue.created') }),
  z.strictObject({ id: z.literal('issue.regressed') }),
  z.strictObject({
    id: z.literal('issue.state_changed'),
    to: z.enum(['resolved', 'unresolved', 'ignored']).optional(),
  }),
  z.strictObject({
    id: z.literal('event_frequency'),
    value: z.number().int().min(0).max(1_000_000_000),
    interval,
  }),
  z.strictObject({
    id: z.literal('event_unique_user_frequency'),
    value: z.number().int().min(0).max(1_000_000_000),
    interval,
  }),
]);

const text = z.string().trim().min(1).max(200);

export const filterSchema = z.discriminatedUnion('id', [
  z.strictObject({ id: z.literal('level'), match: z.enum(['eq', 'gte', 'lte']), level: z.enum(LEVELS) }),
  z.strictObject({
    id: z.literal('issue_age'),
    comparison: z.enum(['older', 'newer']),
    minutes: z.number().int().min(0),
  }),
  z.strictObject({ id: z.literal('times_seen'), value: z.number().int().min(0) }),
  z.strictObject({ id: z.literal('environment'), value: text }),
  z.strictObject({ id: z.literal('release'), value: text }),
  z
    .strictObject({
      id: z.literal('tag'),
      key: text,
      match: z.enum(TAG_MATCHES),
      value: z.string().max(200).optional(),
    })
    .refine((f) => f.match === 'is_set' || f.match === 'not_set' || f.value !== undefined, {
      message: 'value is required unless match is is_set or not_set',
      path: ['value'],
    }),
]);

export const actionSchema = z.strictObject({
  plugin: z.string().trim().min(1).max(200),
  config: z.record(z.string(), z.unknown()).default({}),
});

/** Collect the rule's fires for `minutes` and send them as one notification per action. */
export const digestSchema = z.strictObject({
  minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
});
