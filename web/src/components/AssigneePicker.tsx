import { useQuery } from '@tanstack/react-query';
import { members } from '../api/issues';

const NOBODY = 'nobody';

/**
 * Chooses whom issues are assigned to, among the organization's members: the value is what the
 * API's `assignedTo` takes (`user:ID`), or null for nobody.
 */
export function AssigneePicker({
  organization,
  current,
  disabled,
  onAssign,
}: {
  organization: string;
  /** The current assignee's `user:ID`, null for nobody; undefined when choosing for many issues. */
  current?: string | null;
  disabled?: boolean;
  onAssign: (assignedTo: string | null) => void;
}) {
  const list = useQuery({ queryKey: ['members', organization], queryFn: () => members(organization) });
  return (
    <label className="inline">
      Assign to
      <select
        value={current === undefined ? '' : (current ?? NOBODY)}
        disabled={disabled || !list.data}
        onChange={(event) => onAssign(event.target.value === NOBODY ? null : event.target.value)}
      >
        {current === undefined && (
          <option value="" disabled>
            Choose…
          </option>
        )}
        <option value={NOBODY}>Nobody</option>
        {list.data?.map((member) => (
          <option key={member.id} value={`user:${member.user.id}`}>
            {member.name || member.email}
          </option>
        ))}
      </select>
    </label>
  );
}
