import { z } from 'zod';
import { filterSchema, triggerSchema } from './schema';

/** One kind of trigger or filter a rule can have, for a rule editor to offer. */
export interface RuleTerm {
  /** The `id` the rule names it by, e.g. `event_frequency`. */
  id: string;
  /** In words, e.g. "An issue is seen more than a number of times". */
  label: string;
  /** Its object as JSON Schema (input side), `id` included as a `const`. */
  schema: Record<string, unknown>;
}

type Option = (typeof triggerSchema.options)[number] | (typeof filterSchema.options)[number];

function termOf(option: Option): RuleTerm {
  const schema = z.toJSONSchema(option, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const id = (schema.properties as { id: { const: string } }).id.const;
  return { id, label: typeof schema.title === 'string' ? schema.title : id, schema };
}

/**
 * Every trigger (Sentry's "conditions") and filter the rules API accepts, described from the very
 * schemas that check a rule, so an editor offers exactly what a save accepts.
 */
export function ruleTerms(): { conditions: RuleTerm[]; filters: RuleTerm[] } {
  return { conditions: triggerSchema.options.map(termOf), filters: filterSchema.options.map(termOf) };
}
