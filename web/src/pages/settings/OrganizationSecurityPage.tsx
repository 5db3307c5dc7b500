import { useParams } from 'react-router';
import { useOrganizationAccess } from '../../settings/access';
import { RequireTwoFactorPanel } from './RequireTwoFactorPanel';
import { SsoPanel } from './SsoPanel';

/**
 * How people get into the organization: the 2FA requirement (`org:write`) and single sign-on
 * (`org:admin`, owners only, as the API asks).
 */
export function OrganizationSecurityPage() {
  const { organization = '' } = useParams();
  const access = useOrganizationAccess(organization);
  if (!access.data) return null;
  if (!access.can('org:write'))
    return <p>Only owners and managers of this organization change how people sign in to it.</p>;
  return (
    <>
      <h2>Security</h2>
      <RequireTwoFactorPanel organization={organization} required={access.data.require2FA} />
      {access.can('org:admin') ? (
        <SsoPanel organization={organization} />
      ) : (
        <p className="muted">Only owners set up single sign-on.</p>
      )}
    </>
  );
}
