import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { removeSso, saveSso, ssoSettings, type SsoChange } from '../../api/organization';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage';
import { QueryError } from '../../components/QueryError';

const DEFAULT_ROLES: SsoChange['defaultRole'][] = ['billing', 'member', 'admin', 'manager'];

/** The form's fields as the API takes them; an empty secret keeps the stored one. */
function changeFrom(form: FormData): SsoChange {
  const secret = String(form.get('clientSecret') ?? '');
  return {
    issuer: String(form.get('issuer') ?? '').trim(),
    clientId: String(form.get('clientId') ?? '').trim(),
    ...(secret ? { clientSecret: secret } : {}),
    allowedDomains: String(form.get('allowedDomains') ?? '')
      .split(/[\s,]+/)
      .filter((domain) => domain !== ''),
    defaultRole: String(form.get('defaultRole')) as SsoChange['defaultRole'],
    enabled: form.get('enabled') === 'on',
  };
}

/**
 * The organization's single sign-on through an OpenID Connect provider (owners: `org:admin`): the
 * callback address to register at the provider, and its settings. The client secret is write-only:
 * the API never answers it, so the page only says one is stored.
 */
export function SsoPanel({ organization }: { organization: string }) {
  const queryClient = useQueryClient();
  const queryKey = ['sso', organization];
  const settings = useQuery({ queryKey, queryFn: () => ssoSettings(organization) });
  const save = useMutation({
    mutationFn: (change: SsoChange) => saveSso(organization, change),
    onSuccess: (saved) => queryClient.setQueryData(queryKey, saved),
  });
  const remove = useMutation({
    mutationFn: () => removeSso(organization),
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });

  if (settings.error) return <QueryError error={settings.error} />;
  if (!settings.data) return <p className="muted">Loading…</p>;
  const { provider, callbackUrl, loginUrl, configured } = settings.data;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate(changeFrom(new FormData(event.currentTarget)));
  };
  return (
    <section aria-labelledby="sso-heading">
      <h3 id="sso-heading">Single sign-on</h3>
      <p>
        Register this redirect address at your OpenID provider: <code>{callbackUrl}</code>{' '}
        <CopyButton text={callbackUrl} label="Copy the redirect address" />
      </p>
      {configured && (
        <p className="muted">
          People sign in at <code>{loginUrl}</code>, or with the organization&apos;s short name on the sign-in
          page.
        </p>
      )}
      <form onSubmit={submit} aria-label="Single sign-on settings" key={provider?.updatedAt ?? 'new'}>
        <label>
          Issuer
          <input name="issuer" type="url" required defaultValue={provider?.issuer} />
        </label>
        <label>
          Client ID
          <input name="clientId" required defaultValue={provider?.clientId} />
        </label>
        <label>
          Client secret
          <input
            name="clientSecret"
            type="password"
            autoComplete="new-password"
            required={!configured}
            placeholder={configured ? 'set (hidden); leave empty to keep it' : ''}
          />
        </label>
        <label>
          Allowed email domains (comma-separated; empty: any)
          <input name="allowedDomains" defaultValue={provider?.allowedDomains.join(', ')} />
        </label>
        <label>
          Role of people it adds
          <select name="defaultRole" defaultValue={provider?.defaultRole ?? 'member'}>
            {DEFAULT_ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input name="enabled" type="checkbox" defaultChecked={provider?.enabled ?? true} /> Enabled
        </label>
        <ErrorMessage error={save.error ?? remove.error} />
        <div className="actions">
          <button type="submit" disabled={save.isPending}>
            Save single sign-on
          </button>
          {configured && (
            <button
              type="button"
              className="secondary"
              disabled={remove.isPending}
              onClick={() => remove.mutate()}
            >
              Remove single sign-on
            </button>
          )}
        </div>
        {save.isSuccess && <p role="status">Saved.</p>}
      </form>
    </section>
  );
}
