import { useId, type FormEvent, type ReactNode } from 'react';
import { formFields, inputFrom, type FormField } from './schema-form';

/** A form for a JSON Schema object: labelled fields, then `children` (the buttons). */
export function SchemaForm({
  schema,
  onSubmit,
  children,
}: {
  schema: Record<string, unknown>;
  onSubmit: (input: Record<string, unknown>) => void;
  children: ReactNode;
}) {
  const fields = formFields(schema);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit(inputFrom(fields, new FormData(event.currentTarget)));
  };
  return (
    <form className="schema-form" onSubmit={submit}>
      {fields.map((field) => (
        <Field key={field.name} field={field} />
      ))}
      {children}
    </form>
  );
}

function Field({ field }: { field: FormField }) {
  const hintId = useId();
  const hint = field.description ? hintId : undefined;
  const common = { name: field.name, required: field.required, 'aria-describedby': hint };
  let control: ReactNode;
  switch (field.kind) {
    case 'select':
      control = (
        <select {...common} defaultValue={String(field.defaultValue ?? field.options?.[0] ?? '')}>
          {field.options?.map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
      );
      break;
    case 'textarea':
      control = <textarea {...common} rows={4} defaultValue={String(field.defaultValue ?? '')} />;
      break;
    case 'password':
      // Write-only: the form never holds the secret's value, so nothing can echo it.
      control = <input {...common} type="password" autoComplete="new-password" />;
      break;
    case 'number':
      control = (
        <input
          {...common}
          type="number"
          step={field.integer ? 1 : 'any'}
          defaultValue={field.defaultValue === undefined ? undefined : String(field.defaultValue)}
        />
      );
      break;
    case 'checkbox':
      control = <input {...common} type="checkbox" defaultChecked={field.defaultValue === true} />;
      break;
    default:
      control = <input {...common} type="text" defaultValue={String(field.defaultValue ?? '')} />;
  }
  return (
    <label className={field.kind === 'checkbox' ? 'inline' : undefined}>
      {field.label}
      {control}
      {field.description && (
        <span id={hint} className="muted hint">
          {field.description}
        </span>
      )}
    </label>
  );
}
