import { Link, NavLink, Outlet, useParams } from 'react-router';
import type { Scope } from '../../api/settings';
import { QueryError } from '../../components/QueryError';
import { useOrganizationAccess } from '../../settings/access';

/**
 * The tabs of an organization's settings, each at a stable URL under `/settings/{org}/`; a tab is
 * listed only for those whose scopes let them use it.
 */
const TABS: { path: string; label: string; needs: Scope }[] = [
  { path: 'members', label: 'Members', needs: 'member:read' },
  { path: 'teams', label: 'Teams', needs: 'team:read' },
  { path: 'auth-tokens', label: 'Service tokens', needs: 'org:write' },
  { path: 'audit-log', label: 'Audit log', needs: 'org:write' },
  { path: 'security', label: 'Security', needs: 'org:write' },
];

export function OrganizationSettingsLayout() {
  const { organization = '' } = useParams();
  const access = useOrganizationAccess(organization);
  if (access.error) return <QueryError error={access.error} />;
  if (!access.data) return <p className="muted">Loading…</p>;
  return (
    <section>
      <p className="muted">
        <Link to="/settings">Settings</Link>
      </p>
      <h1>{access.data.name}: organization settings</h1>
      <nav className="tabs" aria-label="Organization settings">
        {TABS.filter((tab) => access.can(tab.needs)).map((tab) => (
          <NavLink key={tab.path} to={`/settings/${organization}/${tab.path}/`}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </section>
  );
}
