import { useMutation, useQueryClient } from '@tanstack/react-query';
import { setRequire2FA } from '../../api/organization';
import { ErrorMessage } from '../../components/ErrorMessage';

/**
 * The organization's 2FA requirement (`org:write`). The API refuses to turn it on for someone
 * without 2FA on their own account, so nobody locks themselves out; its words are shown as given.
 */
export function RequireTwoFactorPanel({
  organization,
  required,
}: {
  organization: string;
  required: boolean;
}) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (on: boolean) => setRequire2FA(organization, on),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['organization', organization] }),
  });
  return (
    <section aria-labelledby="require-2fa-heading">
      <h3 id="require-2fa-heading">Two-factor authentication</h3>
      <label className="inline">
        <input
          type="checkbox"
          checked={required}
          disabled={change.isPending}
          onChange={(event) => change.mutate(event.target.checked)}
        />
        Require two-factor authentication of every member
      </label>
      <p className="muted">
        Members without it can then do nothing in this organization until they turn it on in their
        account&apos;s security settings; service tokens are not affected.
      </p>
      <ErrorMessage error={change.error} />
    </section>
  );
}
