import { ErrorMessage } from '../../components/ErrorMessage';
import { RowAction } from '../../components/SettingsTable';
import { AddFromList } from './AddFromList';

interface Choice {
  value: string;
  label: string;
}

/**
 * One part of a team (its members, its projects): what is on it, each with Remove, and a select of
 * the rest with an Add button — the controls only for those whose scope lets them change that part.
 */
export function TeamPart(props: {
  team: string;
  /** "Members", "Projects". */
  title: string;
  /** "member", "project": the Add button says "Add member". */
  noun: string;
  on: Choice[] | undefined;
  off: Choice[];
  canWrite: boolean;
  pending: boolean;
  error: unknown;
  add: (value: string) => void;
  remove: (value: string) => void;
}) {
  const { team, title, noun, on, off, canWrite, pending } = props;
  return (
    <section aria-label={`${title} of ${team}`}>
      <h4>{title}</h4>
      {on?.length === 0 && <p className="muted">No {title.toLowerCase()}.</p>}
      <ul>
        {on?.map((item) => (
          <li key={item.value}>
            {item.label}{' '}
            {canWrite && (
              <RowAction
                label={`Remove ${item.label} from ${team}`}
                busy={pending}
                onClick={() => props.remove(item.value)}
              >
                Remove
              </RowAction>
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={props.error} />
      {canWrite && on && (
        <AddFromList
          label={`Add a ${noun} to ${team}`}
          action={`Add ${noun}`}
          options={off}
          pending={pending}
          onAdd={props.add}
        />
      )}
    </section>
  );
}
