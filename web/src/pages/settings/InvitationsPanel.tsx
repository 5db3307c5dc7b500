import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { invite, invites, revokeInvite, type Role } from '../../api/members';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage';
import { QueryError } from '../../components/QueryError';
import { ROLES } from './MembersTable';

/**
 * Pending invitations, and (with `member:write`) inviting someone: the API mails nothing yet, so the
 * link it answers once is shown to pass on.
 */
export function InvitationsPanel({ organization, canWrite }: { organization: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const queryKey = ['invites', organization];
  const list = useQuery({ queryKey, queryFn: () => invites(organization) });
  const refresh = () => queryClient.invalidateQueries({ queryKey });
  const create = useMutation({
    mutationFn: (body: { email: string; role: Role }) => invite(organization, body.email, body.role),
    onSettled: refresh,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => revokeInvite(organization, id),
    onSettled: refresh,
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ email: String(form.get('email')).trim(), role: String(form.get('role')) as Role });
  };

  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      {list.error ? <QueryError error={list.error} /> : null}
      {list.data?.length === 0 && <p className="muted">No pending invitations.</p>}
      <ErrorMessage error={revoke.error} />
      <ul aria-label="Pending invitations">
        {list.data?.map((pending) => (
          <li key={pending.id}>
            {pending.email} <span className="muted">as {pending.orgRole}</span>{' '}
            {canWrite && (
              <button
                type="button"
                className="secondary"
                aria-label={`Revoke the invitation of ${pending.email}`}
                onClick={() => revoke.mutate(pending.id)}
              >
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      {canWrite && (
        <form onSubmit={submit} aria-label="Invite someone">
          <label>
            Email
            <input name="email" type="email" required />
          </label>
          <label>
            Role
            <select name="role" defaultValue="member">
              {ROLES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <ErrorMessage error={create.error} />
          <button type="submit" disabled={create.isPending}>
            Invite
          </button>
          {create.data && (
            <p>
              Send {create.data.email} this link (shown once):{' '}
              <code aria-label="Invitation link">{create.data.inviteLink}</code>{' '}
              <CopyButton text={create.data.inviteLink} label="Copy the invitation link" />
            </p>
          )}
        </form>
      )}
    </section>
  );
}
