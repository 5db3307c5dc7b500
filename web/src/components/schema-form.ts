/**
 * Forms generated from a JSON Schema object (what the API gives for a plugin's issue action input,
 * from `z.toJSONSchema`): one field per property, its kind from the property's type, and the
 * answers read back into the object the API checks. Shapes it can't show as a field (nested
 * objects, arrays) are left out; the API then names what's missing.
 */
/** `password`: a JSON Schema `writeOnly` string (a secret): typed in, never shown back. */
export type FieldKind = 'text' | 'textarea' | 'password' | 'number' | 'checkbox' | 'select';

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: string[];
  defaultValue?: string | number | boolean;
  /** JSON Schema `integer`: whole numbers only. */
  integer?: boolean;
}

interface PropertySchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  maxLength?: number;
  format?: string;
  writeOnly?: boolean;
}

/** Longer limits than this get a multi-line box. */
const SINGLE_LINE_MAX = 200;

/** A property name as a label: `repositoryName` and `repository_name` read "Repository name". */
function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function typeOf(property: PropertySchema): string | undefined {
  return Array.isArray(property.type) ? property.type.find((t) => t !== 'null') : property.type;
}

export function formFields(schema: Record<string, unknown>): FormField[] {
  const properties = (schema.properties ?? {}) as Record<string, PropertySchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields: FormField[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const type = typeOf(property);
    const common = {
      name,
      label: property.title ?? labelOf(name),
      // A field with a default may be left as it is.
      required: required.has(name) && property.default === undefined,
      description: property.description,
    };
    const defaultValue = ['string', 'number', 'boolean'].includes(typeof property.default)
      ? (property.default as string | number | boolean)
      : undefined;
    if (property.enum && property.enum.every((v) => typeof v === 'string')) {
      fields.push({ ...common, kind: 'select', options: property.enum as string[], defaultValue });
    } else if (type === 'string' && property.writeOnly) {
      fields.push({ ...common, kind: 'password' });
    } else if (type === 'string') {
      const long = (property.maxLength ?? Infinity) > SINGLE_LINE_MAX && property.format === undefined;
      fields.push({ ...common, kind: long ? 'textarea' : 'text', defaultValue });
    } else if (type === 'number' || type === 'integer') {
      fields.push({ ...common, kind: 'number', integer: type === 'integer', defaultValue });
    } else if (type === 'boolean') {
      fields.push({ ...common, kind: 'checkbox', required: false, defaultValue });
    }
  }
  return fields;
}

/**
 * The input object from a submitted form: empty optional fields are left out (so the schema's
 * defaults apply), numbers are numbers and checkboxes booleans.
 */
export function inputFrom(fields: FormField[], form: FormData): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.kind === 'checkbox') {
      input[field.name] = form.get(field.name) === 'on';
      continue;
    }
    const text = String(form.get(field.name) ?? '');
    if (text === '' && !field.required) continue;
    input[field.name] = field.kind === 'number' && text !== '' ? Number(text) : text;
  }
  return input;
}
