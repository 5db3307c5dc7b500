import { useQuery } from '@tanstack/react-query';
import { Link, NavLink, Outlet, useParams } from 'react-router';
import { project } from '../../api/settings';
import { QueryError } from '../../components/QueryError';

/** The tabs of a project's settings, each at a stable URL under `/settings/{org}/projects/{project}/`. */
const TABS = [
  { path: 'keys', label: 'Client keys' },
  { path: 'plugins', label: 'Plugins' },
  { path: 'alert-rules', label: 'Alert rules' },
];

export function ProjectSettingsLayout() {
  const { organization = '', project: slug = '' } = useParams();
  const found = useQuery({
    queryKey: ['project', organization, slug],
    queryFn: () => project(organization, slug),
  });
  if (found.error) return <QueryError error={found.error} />;
  if (!found.data) return <p className="muted">Loading…</p>;
  const base = `/settings/${organization}/projects/${slug}`;
  return (
    <section>
      <p className="muted">
        <Link to="/settings">Settings</Link> › {organization}
      </p>
      <h1>{found.data.name}: project settings</h1>
      <nav className="tabs" aria-label="Project settings">
        {TABS.map((tab) => (
          <NavLink key={tab.path} to={`${base}/${tab.path}/`}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </section>
  );
}
