import { useParams } from 'react-router';
import { useOrganizationAccess } from '../../settings/access';
import { InvitationsPanel } from './InvitationsPanel';
import { MembersTable } from './MembersTable';

/** An organization's members and invitations, offering only what the caller's scopes allow. */
export function OrganizationMembersPage() {
  const { organization = '' } = useParams();
  const access = useOrganizationAccess(organization);
  return (
    <>
      <h2>Members</h2>
      <MembersTable organization={organization} canAdmin={access.can('member:admin')} />
      <InvitationsPanel organization={organization} canWrite={access.can('member:write')} />
    </>
  );
}
