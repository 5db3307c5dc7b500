import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import {
  formFields,
  initialValue,
  initialValues,
  inputFrom,
  type FormField,
  type FormValue,
  type FormValues,
} from './schema-form';

/**
 * A form for a JSON Schema object: labelled fields, then `children` (the buttons). `initial` fills
 * it from a value the API gave (a plugin's settings); otherwise the schema's defaults apply.
 */
export function SchemaForm({
  schema,
  initial,
  onSubmit,
  children,
}: {
  schema: Record<string, unknown>;
  initial?: Record<string, unknown>;
  onSubmit: (input: Record<string, unknown>) => void;
  children: ReactNode;
}) {
  const fields = useMemo(() => formFields(schema), [schema]);
  const [values, setValues] = useState(() => initialValues(fields, initial));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit(inputFrom(fields, values));
  };
  return (
    <form className="schema-form" onSubmit={submit}>
      <SchemaFields fields={fields} values={values} onChange={setValues} />
      {children}
    </form>
  );
}

/**
 * The controls of `fields`, holding `values`, without a form around them: for pages that put several
 * generated parts in one form (an alert rule's triggers, filters and actions).
 */
export function SchemaFields({
  fields,
  values,
  onChange,
}: {
  fields: FormField[];
  values: FormValues;
  onChange: (values: FormValues) => void;
}) {
  return (
    <>
      {fields.map((field) => (
        <Field
          key={field.name}
          field={field}
          value={values[field.name]}
          onChange={(value) => onChange({ ...values, [field.name]: value })}
        />
      ))}
    </>
  );
}

interface FieldProps {
  field: FormField;
  value: FormValue | undefined;
  onChange: (value: FormValue) => void;
}

function Field({ field, value, onChange }: FieldProps) {
  const hintId = useId();
  const hint = field.description ? hintId : undefined;
  const description = field.description && (
    <span id={hint} className="muted hint">
      {field.description}
    </span>
  );
  if (field.kind === 'fixed') return null;
  if (field.kind === 'object')
    return (
      <fieldset className="schema-group" aria-describedby={hint}>
        <legend>{field.label}</legend>
        {description}
        <SchemaFields
          fields={field.fields ?? []}
          values={(value ?? {}) as FormValues}
          onChange={(values) => onChange(values)}
        />
      </fieldset>
    );
  if (field.kind === 'list') return <ListField field={field} value={value} onChange={onChange} hint={hint} />;
  const text = typeof value === 'string' ? value : '';
  const common = {
    name: field.name,
    required: field.required,
    'aria-describedby': hint,
  };
  const typed = (event: { currentTarget: { value: string } }) => onChange(event.currentTarget.value);
  let control: ReactNode;
  switch (field.kind) {
    case 'select':
      control = (
        <select {...common} value={text} onChange={typed}>
          {!field.required && <option value="">(none)</option>}
          {field.options?.map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
      );
      break;
    case 'textarea':
      control = <textarea {...common} rows={4} value={text} onChange={typed} />;
      break;
    case 'password':
      // Write-only: the form never holds the stored secret, so nothing can echo it.
      control = (
        <input {...common} type="password" autoComplete="new-password" value={text} onChange={typed} />
      );
      break;
    case 'number':
      control = (
        <input {...common} type="number" step={field.integer ? 1 : 'any'} value={text} onChange={typed} />
      );
      break;
    case 'checkbox':
      control = (
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
      );
      break;
    default:
      control = <input {...common} type="text" value={text} onChange={typed} />;
  }
  return (
    <label className={field.kind === 'checkbox' ? 'inline' : undefined}>
      {field.label}
      {control}
      {description}
    </label>
  );
}

/** Any number of one field: each item labelled with its position, removable, and one more added. */
function ListField({ field, value, onChange, hint }: FieldProps & { hint: string | undefined }) {
  const items = Array.isArray(value) ? value : [];
  const item = field.item!;
  const set = (index: number, next: FormValue) => onChange(items.map((v, i) => (i === index ? next : v)));
  return (
    <fieldset className="schema-group" aria-describedby={hint}>
      <legend>{field.label}</legend>
      {field.description && (
        <span id={hint} className="muted hint">
          {field.description}
        </span>
      )}
      {items.map((itemValue, index) => {
        const label = `${field.label} ${index + 1}`;
        return (
          <div key={index} className="schema-list-item">
            <Field field={{ ...item, label }} value={itemValue} onChange={(next) => set(index, next)} />
            <button
              type="button"
              className="secondary"
              onClick={() => onChange(items.filter((_, i) => i !== index))}
            >
              Remove {label}
            </button>
          </div>
        );
      })}
      <button type="button" className="secondary" onClick={() => onChange([...items, initialValue(item)])}>
        Add to {field.label}
      </button>
    </fieldset>
  );
}
