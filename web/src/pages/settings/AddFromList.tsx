import { useState } from 'react';

/**
 * A select of what may still be added (people not on a team, projects it doesn't hold) and an Add
 * button: the team page's way to add, so nobody types a slug the API would refuse.
 */
export function AddFromList(props: {
  label: string;
  /** The button's words, e.g. "Add member". */
  action: string;
  options: { value: string; label: string }[];
  pending: boolean;
  onAdd: (value: string) => void;
}) {
  const { label, action, options, pending, onAdd } = props;
  const [chosen, setChosen] = useState('');
  const value = options.some((option) => option.value === chosen) ? chosen : (options[0]?.value ?? '');
  if (options.length === 0) return null;
  return (
    <div className="inline-form">
      <label>
        {label}
        <select value={value} onChange={(event) => setChosen(event.target.value)}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="secondary" disabled={pending} onClick={() => onAdd(value)}>
        {action}
      </button>
    </div>
  );
}
