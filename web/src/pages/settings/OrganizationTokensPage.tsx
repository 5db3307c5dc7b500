import { useParams } from 'react-router';
import { createOrganizationToken, organizationTokens, revokeOrganizationToken } from '../../api/settings';
import { useOrganizationAccess } from '../../settings/access';
import { TokensPanel } from './TokensPanel';

/** The organization's service tokens: for machines (CI, integrations) that act for nobody. */
export function OrganizationTokensPage() {
  const { organization = '' } = useParams();
  const access = useOrganizationAccess(organization);
  if (!access.can('org:write'))
    return <p>Only owners and managers of this organization manage its service tokens.</p>;
  return (
    <>
      <h2>Service tokens</h2>
      <p className="muted">
        A service token belongs to the organization, not to a person: it keeps working when its maker leaves,
        and the changes it makes are recorded as the token&apos;s.
      </p>
      <TokensPanel
        queryKey={['org-tokens', organization]}
        list={() => organizationTokens(organization)}
        create={(body) => createOrganizationToken(organization, body)}
        revoke={(tokenId) => revokeOrganizationToken(organization, tokenId)}
        scopes={access.data?.access ?? []}
      />
    </>
  );
}
