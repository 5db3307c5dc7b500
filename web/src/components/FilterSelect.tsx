/** A list filter as a select: "all" (the empty value) or one of the names the API offers. */
export function FilterSelect(props: {
  label: string;
  /** The words of the empty choice, e.g. "All environments". */
  all: string;
  value: string;
  names: readonly string[];
  onChange: (value: string) => void;
}) {
  const { label, all, value, names, onChange } = props;
  return (
    <label className="inline">
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{all}</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
