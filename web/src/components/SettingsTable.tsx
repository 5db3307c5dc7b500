import type { ReactNode } from 'react';

/**
 * A settings list as a table: the named columns, then a last one for each row's actions (named
 * for screen readers only). The rows are the children.
 */
export function SettingsTable({
  label,
  columns,
  children,
}: {
  label?: string;
  columns: string[];
  children: ReactNode;
}) {
  return (
    <table className="settings-table" aria-label={label}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A row's action button; `label` names the row too (e.g. "Revoke CI token"), for screen readers. */
export function RowAction(props: { label: string; busy: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      className="secondary"
      disabled={props.busy}
      aria-label={props.label}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}
