import { z } from 'zod';
import { MAX_SEARCH_LENGTH, parseIssueSearch, SearchSyntaxError } from '../search';
import { FREQUENCY_INTERVALS, LEVELS, TAG_MATCHES } from './rules';

/*
 * Titles (`.meta({ title })`) are what a rule editor shows: the API lists each trigger and filter
 * with its JSON Schema (see vocabulary.ts), and clients build their forms from it.
 */

/** The window of a frequency trigger, in minutes. */
const interval = z.literal(FREQUENCY_INTERVALS).meta({ title: 'Within (minutes)' });
const threshold = z.number().int().min(0).max(1_000_000_000);

/** A trigger as the REST API takes it (Sentry calls these `conditions`). */
export const triggerSchema = z.discriminatedUnion('id', [
  z.strictObject({ id: z.literal('issue.created') }).meta({ title: 'A new issue is created' }),
  z.strictObject({ id: z.literal('issue.regressed') }).meta({ title: 'A resolved issue comes back' }),
  z
    .strictObject({
      id: z.literal('issue.state_changed'),
      to: z
        .enum(['resolved', 'unresolved', 'ignored'])
        .optional()
        .meta({ title: 'To', description: 'Left out: any change' }),
    })
    .meta({ title: "An issue's state changes" }),
  z
    .strictObject({
      id: z.literal('event_frequency'),
      value: threshold.meta({ title: 'More than (events)' }),
      interval,
    })
    .meta({ title: 'An issue is seen more than a number of times' }),
  z
    .strictObject({
      id: z.literal('event_unique_user_frequency'),
      value: threshold.meta({ title: 'More than (users)' }),
      interval,
    })
    .meta({ title: 'More than a number of users see an issue' }),
]);

const text = z.string().trim().min(1).max(200);

export const filterSchema = z.discriminatedUnion('id', [
  z
    .strictObject({
      id: z.literal('level'),
      match: z.enum(['eq', 'gte', 'lte']).meta({ title: 'Comparison' }),
      level: z.enum(LEVELS),
    })
    .meta({ title: "The issue's level" }),
  z
    .strictObject({
      id: z.literal('issue_age'),
      comparison: z.enum(['older', 'newer']),
      minutes: z.number().int().min(0),
    })
    .meta({ title: "The issue's age" }),
  z
    .strictObject({ id: z.literal('times_seen'), value: z.number().int().min(0).meta({ title: 'At least' }) })
    .meta({ title: 'How often the issue was seen' }),
  z.strictObject({ id: z.literal('environment'), value: text }).meta({ title: "The event's environment" }),
  z.strictObject({ id: z.literal('release'), value: text }).meta({ title: "The event's release" }),
  z
    .strictObject({
      id: z.literal('tag'),
      key: text,
      match: z.enum(TAG_MATCHES),
      value: z.string().max(200).optional().meta({ description: 'Not needed for is_set and not_set' }),
    })
    .refine((f) => f.match === 'is_set' || f.match === 'not_set' || f.value !== undefined, {
      message: 'value is required unless match is is_set or not_set',
      path: ['value'],
    })
    .meta({ title: 'A tag of the event' }),
  z
    .strictObject({
      id: z.literal('query'),
      query: z
        .string()
        .trim()
        .min(1)
        .max(MAX_SEARCH_LENGTH)
        .superRefine((query, ctx) => {
          // Read by the API's search parser, so a query it can't read is refused naming the token.
          try {
            parseIssueSearch(query, { userId: -1, now: new Date() });
          } catch (error) {
            if (!(error instanceof SearchSyntaxError)) throw error;
            ctx.addIssue({ code: 'custom', message: error.message });
          }
        })
        .meta({
          title: 'Search',
          description:
            'The issue search syntax, e.g. `level:error checkout` (assigned:me matches nobody here)',
        }),
    })
    .meta({ title: 'The issue matches a search' }),
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
