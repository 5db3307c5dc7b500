import { z } from 'zod';
import { BadRequestError } from '../errors';

/** Where a value came from, so an error message can say exactly what to fix. */
export type InputPart = 'path parameter' | 'query parameter' | 'body field';

/** Parses `input` with `schema`; a failure becomes a 400 naming the offending parameter or field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new BadRequestError(describeIssue(result.error.issues[0], part), 'invalid_request');
}

function describeIssue(issue: z.core.$ZodIssue, part: InputPart): string {
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `\`${k}\``).join(', ');
    return `Unknown ${part}${issue.keys.length > 1 ? 's' : ''} ${names}`;
  }
  const name = issue.path.map(String).join('.');
  if (name === '') return `Invalid request ${part === 'body field' ? 'body' : 'query'}: ${issue.message}`;
  return `Invalid ${part} \`${name}\`: ${issue.message}`;
}

/** A query parameter given once; when repeated, the last value wins (as Django's `QueryDict.get`). */
export function single<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (Array.isArray(value) ? value[value.length - 1] : value), schema);
}

/** A query parameter that may be repeated (`?id=1&id=2`); always an array, empty when absent. */
export function repeated<S extends z.ZodType>(schema: S) {
  // The default (rather than mapping absence to []) keeps the parameter optional in the API
  // description, so generated clients needn't send it.
  return z.preprocess(
    (value) => (value === undefined || Array.isArray(value) ? value : [value]),
    z.array(schema).default([]),
  );
}
