import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/http';
import { acceptInvite, acceptWithNewAccount, inviteOffer, type InviteLink } from '../api/invitations';
import { ErrorMessage } from '../components/ErrorMessage';
import { matchingNewPassword, NewPasswordFields } from '../components/NewPasswordFields';
import { ServerBanner } from '../components/ServerBanner';
import { useCurrentUser } from '../session';

/** A new account for the invited email, with a password of their choosing. */
function NewAccountForm({ link, onDone }: { link: InviteLink; onDone: () => void }) {
  const [mismatch, setMismatch] = useState(false);
  const create = useMutation({
    mutationFn: (password: string) => acceptWithNewAccount(link, password),
    onSuccess: onDone,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const password = matchingNewPassword(new FormData(event.currentTarget));
    setMismatch(password === undefined);
    if (password !== undefined) create.mutate(password);
  };
  return (
    <form onSubmit={submit} aria-labelledby="new-account-heading">
      <h2 id="new-account-heading">New to Faultline? Create your account</h2>
      <NewPasswordFields label="Choose a password" againLabel="The password again" mismatch={mismatch} />
      <ErrorMessage error={create.error} />
      <button type="submit" disabled={create.isPending}>
        Create account and join
      </button>
    </form>
  );
}

/**
 * `/accept/{inviteId}/{token}/`: the invitation link a member passed on (`inviteLink` of the API).
 * Anyone holding it sees the organization and role; signed in, they accept; otherwise they sign in
 * and come back here, or create an account for the invited email. An expired or revoked link is
 * said so in words (the API's).
 */
export function AcceptInvitePage() {
  const { inviteId = '', token = '' } = useParams();
  const link = { inviteId, token };
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useCurrentUser();
  const offer = useQuery({
    queryKey: ['invite', inviteId, token],
    queryFn: () => inviteOffer(link),
    retry: false,
  });
  // Into the organization's issues, as its new member; whatever was cached was from before.
  const joined = () => {
    const organization = offer.data?.organization.slug ?? '';
    queryClient.clear();
    void navigate(`/organizations/${encodeURIComponent(organization)}/issues/`, { replace: true });
  };
  const accept = useMutation({ mutationFn: () => acceptInvite(link), onSuccess: joined });
  const signedOut = me.error instanceof ApiError && me.error.status === 401;
  const here = `/accept/${encodeURIComponent(inviteId)}/${encodeURIComponent(token)}/`;

  let body;
  if (offer.error) {
    body = (
      <>
        <h1>This invitation can't be used</h1>
        <ErrorMessage error={offer.error} />
      </>
    );
  } else if (!offer.data || (me.isPending && !signedOut)) {
    body = <p className="muted">Loading…</p>;
  } else {
    const { organization, role, email } = offer.data;
    body = (
      <>
        <h1>Join {organization.name}</h1>
        <p>
          You are invited to the organization <strong>{organization.name}</strong> ({organization.slug}) as{' '}
          <strong>{role}</strong>. The invitation was sent to {email}.
        </p>
        {me.data ? (
          <>
            <p>
              You are signed in as <strong>{me.data.email}</strong>; accepting makes that account a member.
            </p>
            <ErrorMessage error={accept.error} />
            <button type="button" disabled={accept.isPending} onClick={() => accept.mutate()}>
              Accept and join {organization.name}
            </button>
          </>
        ) : (
          <>
            <p>
              Have a Faultline account?{' '}
              <Link to={`/auth/login?next=${encodeURIComponent(here)}`}>Sign in to accept</Link>; you come
              back here.
            </p>
            <NewAccountForm link={link} onDone={joined} />
          </>
        )}
      </>
    );
  }
  return (
    <>
      <ServerBanner />
      <main className="narrow">{body}</main>
    </>
  );
}
