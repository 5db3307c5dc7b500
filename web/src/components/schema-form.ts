/**
 * Forms generated from a JSON Schema object: what the API gives for a plugin's issue action input,
 * a plugin's config and an alert action's config (all made by `z.toJSONSchema`), and each trigger
 * and filter of an alert rule. `formFields` turns the schema into a tree of fields, `initialValue`
 * fills one from a current value, and `valueOf` reads what was typed back into the JSON the API
 * checks. Shapes it can't show as a field (a map without named properties, a `$ref`) are left out;
 * the API then names what's missing.
 */

/**
 * `password`: a JSON Schema `writeOnly` string (a secret), typed in, never shown back. `object`: a
 * group of fields; `list`: any number of one field; `fixed`: a `const` (a trigger's `id`), never
 * shown but always sent.
 */
export type FieldKind =
  'text' | 'textarea' | 'password' | 'number' | 'checkbox' | 'select' | 'object' | 'list' | 'fixed';

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  /** A select's choices, as the strings its options carry. */
  options?: string[];
  /** A select whose choices are numbers: sent as numbers. */
  numeric?: boolean;
  defaultValue?: unknown;
  /** JSON Schema `integer`: whole numbers only. */
  integer?: boolean;
  /** An object's fields. */
  fields?: FormField[];
  /** A list's field for one item. */
  item?: FormField;
}

/** What a form holds while it is filled in: text as typed, checkboxes, groups and lists of these. */
export type FormValue = string | boolean | FormValue[] | { [name: string]: FormValue };
export type FormValues = Record<string, FormValue>;

type PropertySchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  maxLength?: number;
  format?: string;
  writeOnly?: boolean;
  properties?: Record<string, PropertySchema>;
  required?: string[];
  items?: PropertySchema;
  anyOf?: PropertySchema[];
  oneOf?: PropertySchema[];
};

/** Text the schema lets be longer than this gets a multi-line box; other text one line. */
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

/**
 * A union (`anyOf`, e.g. a string or a number, or a nullable value) shown as its first variant
 * that isn't `null`, keeping the property's own title, description and default.
 */
function resolved(property: PropertySchema): PropertySchema {
  const variants = (property.anyOf ?? property.oneOf)?.filter((v) => typeOf(v) !== 'null');
  if (!variants || variants.length === 0) return property;
  const own = { ...property };
  delete own.anyOf;
  delete own.oneOf;
  return { ...variants[0], ...own };
}

function isScalar(value: unknown): value is string | number | boolean {
  return ['string', 'number', 'boolean'].includes(typeof value);
}

function fieldOf(name: string, raw: PropertySchema, required: boolean): FormField | undefined {
  const property = resolved(raw);
  const type = typeOf(property);
  const common = {
    name,
    label: property.title ?? labelOf(name),
    // A field with a default may be left as it is.
    required: required && property.default === undefined,
    description: property.description,
  };
  const defaultValue = isScalar(property.default) ? property.default : undefined;
  if (property.const !== undefined) return { ...common, kind: 'fixed', defaultValue: property.const };
  const choices = property.enum;
  if (choices && choices.every((v) => typeof v === 'string'))
    return { ...common, kind: 'select', options: choices as string[], defaultValue };
  if (choices && choices.every((v) => typeof v === 'number'))
    return { ...common, kind: 'select', options: choices.map(String), numeric: true, defaultValue };
  switch (type) {
    case 'string': {
      if (property.writeOnly) return { ...common, kind: 'password' };
      const long = (property.maxLength ?? 0) > SINGLE_LINE_MAX && property.format === undefined;
      return { ...common, kind: long ? 'textarea' : 'text', defaultValue };
    }
    case 'number':
    case 'integer':
      return { ...common, kind: 'number', integer: type === 'integer', defaultValue };
    case 'boolean':
      return { ...common, kind: 'checkbox', required: false, defaultValue };
    case 'object':
      if (!property.properties) return undefined;
      return { ...common, kind: 'object', fields: formFields(property), defaultValue: property.default };
    case 'array': {
      const item = property.items && fieldOf(name, property.items, true);
      if (!item) return undefined;
      return { ...common, kind: 'list', item, defaultValue: property.default };
    }
  }
  return undefined;
}

/** The fields of a JSON Schema object, one per property it can show, in the schema's order. */
export function formFields(schema: Record<string, unknown>): FormField[] {
  const properties = (schema.properties ?? {}) as Record<string, PropertySchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields: FormField[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const field = fieldOf(name, property, required.has(name));
    if (field) fields.push(field);
  }
  return fields;
}

/**
 * What a field holds at first: `current` (a value the API gave) when there is one, else the
 * schema's default. A secret is never filled in; a required list starts with one empty item.
 */
export function initialValue(field: FormField, current?: unknown): FormValue {
  const value = current === undefined ? field.defaultValue : current;
  switch (field.kind) {
    case 'object':
      return initialValues(field.fields ?? [], value);
    case 'list': {
      const items = Array.isArray(value) ? value : [];
      const values = items.map((item) => initialValue(field.item!, item));
      return values.length === 0 && field.required ? [initialValue(field.item!)] : values;
    }
    case 'checkbox':
      return value === true;
    case 'password':
    case 'fixed':
      return '';
    case 'select':
      if (isScalar(value)) return String(value);
      return field.required ? (field.options?.[0] ?? '') : '';
    default:
      return isScalar(value) ? String(value) : '';
  }
}

/** The values of an object's fields, from the object the API gave (or nothing). */
export function initialValues(fields: FormField[], current?: unknown): FormValues {
  const object = typeof current === 'object' && current !== null ? (current as Record<string, unknown>) : {};
  return Object.fromEntries(fields.map((field) => [field.name, initialValue(field, object[field.name])]));
}

/** Nothing typed or chosen in it (checkboxes don't count: they always say something). */
function isBlank(field: FormField, value: FormValue | undefined): boolean {
  if (field.kind === 'checkbox' || field.kind === 'fixed') return true;
  if (field.kind === 'list')
    return !Array.isArray(value) || value.every((item) => isBlank(field.item!, item));
  if (field.kind === 'object') {
    const values = (value ?? {}) as FormValues;
    return (field.fields ?? []).every((f) => isBlank(f, values[f.name]));
  }
  return typeof value !== 'string' || value.trim() === '';
}

/**
 * What a field sends, or undefined to leave it out: empty optional fields are left out (so the
 * schema's defaults apply, and a secret left empty stays as stored), numbers are numbers,
 * checkboxes booleans; a list leaves out its empty items, and an optional group or list with
 * nothing typed in it is left out too.
 */
export function valueOf(field: FormField, value: FormValue | undefined): unknown {
  if ((field.kind === 'object' || field.kind === 'list') && !field.required && isBlank(field, value))
    return undefined;
  switch (field.kind) {
    case 'fixed':
      return field.defaultValue;
    case 'checkbox':
      return value === true;
    case 'object':
      return inputFrom(field.fields ?? [], (value ?? {}) as FormValues);
    case 'list':
      return (Array.isArray(value) ? value : [])
        .filter((item) => !isBlank(field.item!, item))
        .map((item) => valueOf(field.item!, item));
  }
  const text = typeof value === 'string' ? value : '';
  if (field.kind === 'password') return text === '' ? undefined : text;
  if (text.trim() === '' && (field.kind === 'number' || field.kind === 'select')) return undefined;
  if (field.kind === 'number' || field.numeric) return Number(text);
  return text === '' && !field.required ? undefined : text;
}

/** The object a form sends: each field's value, the ones left out absent. */
export function inputFrom(fields: FormField[], values: FormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const value = valueOf(field, values[field.name]);
    if (value !== undefined) input[field.name] = value;
  }
  return input;
}
