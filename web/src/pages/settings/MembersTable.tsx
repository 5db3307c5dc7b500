import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { changeRole, members, removeMember, type Role } from '../../api/members';
import { ErrorMessage } from '../../components/ErrorMessage';
import { QueryError } from '../../components/QueryError';

/** The roles a member may be given, weakest first; the API still refuses one above the caller's own. */
export const ROLES: readonly Role[] = ['billing', 'member', 'admin', 'manager', 'owner'];

/** The organization's members with their roles; changing a role and removing need `member:admin`. */
export function MembersTable({ organization, canAdmin }: { organization: string; canAdmin: boolean }) {
  const queryClient = useQueryClient();
  const queryKey = ['members', organization];
  const list = useQuery({ queryKey, queryFn: () => members(organization) });
  const refresh = () => queryClient.invalidateQueries({ queryKey });
  const role = useMutation({
    mutationFn: (change: { member: string; role: Role }) =>
      changeRole(organization, change.member, change.role),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (member: string) => removeMember(organization, member),
    onSettled: refresh,
  });

  if (list.error) return <QueryError error={list.error} />;
  if (!list.data) return <p className="muted">Loading…</p>;
  return (
    <>
      <ErrorMessage error={role.error ?? remove.error} />
      <table aria-label="Members">
        <thead>
          <tr>
            <th>Member</th>
            <th>Role</th>
            {canAdmin && <th />}
          </tr>
        </thead>
        <tbody>
          {list.data.map((member) => (
            <tr key={member.id}>
              <td>
                {member.name}
                {member.name !== member.email && <span className="muted"> {member.email}</span>}
              </td>
              <td>
                {canAdmin ? (
                  <select
                    aria-label={`Role of ${member.email}`}
                    value={member.orgRole}
                    disabled={role.isPending}
                    onChange={(event) => role.mutate({ member: member.id, role: event.target.value as Role })}
                  >
                    {ROLES.map((name) => (
                      <option key={name} value={name}>
                        {name}
                      </option>
                    ))}
                  </select>
                ) : (
                  member.roleName
                )}
              </td>
              {canAdmin && (
                <td>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Remove ${member.email}`}
                    disabled={remove.isPending}
                    onClick={() => remove.mutate(member.id)}
                  >
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
