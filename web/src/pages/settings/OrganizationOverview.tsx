import { useParams } from 'react-router';
import { useOrganizationAccess } from '../../settings/access';

/** `/settings/{org}/`: your role here, above the tabs your role lets you use. */
export function OrganizationOverview() {
  const { organization = '' } = useParams();
  const access = useOrganizationAccess(organization);
  return (
    <p>
      Your role here: <strong>{access.data?.orgRole ?? 'none'}</strong>.
      {access.can('org:write') ? '' : ' Owners and managers change the settings of the organization.'}
    </p>
  );
}
