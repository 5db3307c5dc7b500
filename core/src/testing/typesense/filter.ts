import { TypesenseAnswer } from './errors';

/**
 * The stand-in's reading of `filter_by` (the subset of Typesense's documented syntax the adapter
 * writes, and nothing looser): `field:=value`, `:!=`, `:>`, `:>=`, `:<`, `:<=`, `:` (a word of a
 * string), values bare or between backticks, `[a, b]` lists, `&&` binding tighter than `||`, and
 * parentheses. A field the schema lacks, a comparison its type can't make or a value of the wrong
 * type is refused as Typesense refuses it. Strings compare as Typesense's filters do, normalized:
 * case-insensitively and without symbols (`App@2.0` equals `app20`).
 */

export interface StandInField {
  name: string;
  type: string;
  facet?: boolean;
  sort?: boolean;
  optional?: boolean;
  index?: boolean;
}

export type Document = Record<string, unknown>;
type Predicate = (doc: Document) => boolean;

const NUMERIC = new Set(['int32', 'int64', 'float', 'int32[]', 'int64[]', 'float[]']);
const OPERATORS = ['!=', '>=', '<=', '=', '>', '<'] as const;
type Operator = (typeof OPERATORS)[number] | ':';

const malformed = () => new TypesenseAnswer(400, 'Could not parse the filter query.');

class FilterReader {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly fields: Map<string, StandInField>,
  ) {}

  read(): Predicate {
    const predicate = this.or();
    this.space();
    if (this.at < this.text.length) throw malformed();
    return predicate;
  }

  private space(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private take(token: string): boolean {
    this.space();
    if (!this.text.startsWith(token, this.at)) return false;
    this.at += token.length;
    return true;
  }

  private or(): Predicate {
    const parts = [this.and()];
    while (this.take('||')) parts.push(this.and());
    return parts.length === 1 ? parts[0] : (doc) => parts.some((p) => p(doc));
  }

  private and(): Predicate {
    const parts = [this.term()];
    while (this.take('&&')) parts.push(this.term());
    return parts.length === 1 ? parts[0] : (doc) => parts.every((p) => p(doc));
  }

  private term(): Predicate {
    if (this.take('(')) {
      const inner = this.or();
      if (!this.take(')')) throw malformed();
      return inner;
    }
    this.space();
    const name = /^[A-Za-z0-9_.]+/.exec(this.text.slice(this.at))?.[0];
    if (!name) throw malformed();
    this.at += name.length;
    if (!this.take(':')) throw malformed();
    const field = this.fields.get(name);
    if (!field)
      throw new TypesenseAnswer(404, `Could not find a filter field named \`${name}\` in the schema.`);
    if (field.index === false)
      throw new TypesenseAnswer(400, `Cannot filter on non-indexed field \`${name}\`.`);
    const operator: Operator = OPERATORS.find((op) => this.text.startsWith(op, this.at)) ?? ':';
    if (operator !== ':') this.at += operator.length;
    const values = this.values().map((raw) => this.typed(field, raw));
    return predicateOf(field, operator, values);
  }

  private values(): string[] {
    this.space();
    if (!this.take('[')) return [this.value()];
    const values = [this.value()];
    while (this.take(',')) values.push(this.value());
    if (!this.take(']')) throw malformed();
    return values;
  }

  private value(): string {
    this.space();
    if (this.text[this.at] === '`') {
      const end = this.text.indexOf('`', this.at + 1);
      if (end < 0) throw malformed();
      const value = this.text.slice(this.at + 1, end);
      this.at = end + 1;
      return value;
    }
    const bare = /^[^\s,()[\]`&|]+/.exec(this.text.slice(this.at))?.[0];
    if (!bare) throw malformed();
    this.at += bare.length;
    return bare;
  }

  private typed(field: StandInField, raw: string): string | number | boolean {
    if (NUMERIC.has(field.type)) {
      const number = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(number)) {
        throw new TypesenseAnswer(
          400,
          `Error with filter field \`${field.name}\`: Not a ${field.type.replace('[]', '')}.`,
        );
      }
      return number;
    }
    if (field.type === 'bool' || field.type === 'bool[]') {
      if (raw !== 'true' && raw !== 'false') {
        throw new TypesenseAnswer(
          400,
          `Value of filter field \`${field.name}\` must be \`true\` or \`false\`.`,
        );
      }
      return raw === 'true';
    }
    return raw;
  }
}

/** A string as Typesense's filters compare it: lower-cased, symbols dropped. */
function normalized(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '') : value;
}

/** The words of a text, as the stand-in tokenizes: lower-cased runs of letters and digits. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function predicateOf(
  field: StandInField,
  operator: Operator,
  values: (string | number | boolean)[],
): Predicate {
  const numeric = NUMERIC.has(field.type);
  if (!numeric && ['>', '>=', '<', '<='].includes(operator)) {
    throw new TypesenseAnswer(
      400,
      `Error with filter field \`${field.name}\`: Numerical field has an invalid comparator.`,
    );
  }
  if (numeric && operator === ':') {
    throw new TypesenseAnswer(
      400,
      `Error with filter field \`${field.name}\`: Numerical field has an invalid comparator.`,
    );
  }
  if (operator !== '=' && operator !== '!=' && operator !== ':' && values.length > 1) throw malformed();
  const elements = (doc: Document): unknown[] => {
    const value = doc[field.name];
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
  };
  const matches = (element: unknown, value: string | number | boolean): boolean => {
    switch (operator) {
      case '=':
      case '!=':
        return normalized(element) === normalized(value);
      case ':':
        return wordsOf(String(value)).every((word) => wordsOf(String(element)).includes(word));
      case '>':
        return (element as number) > (value as number);
      case '>=':
        return (element as number) >= (value as number);
      case '<':
        return (element as number) < (value as number);
      case '<=':
        return (element as number) <= (value as number);
    }
  };
  const any = (doc: Document) =>
    elements(doc).some((element) => values.some((value) => matches(element, value)));
  return operator === '!=' ? (doc) => !any(doc) : any;
}

export function parseFilter(text: string, fields: Map<string, StandInField>): Predicate {
  return new FilterReader(text, fields).read();
}
