import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { organizations, projects, type Organization } from '../../api/faultline';
import { ErrorMessage } from '../../components/ErrorMessage';

function OrganizationSettingsLinks({ organization }: { organization: Organization }) {
  const list = useQuery({
    queryKey: ['projects', organization.slug],
    queryFn: () => projects(organization.slug),
  });
  return (
    <section aria-labelledby={`org-${organization.slug}`}>
      <h2 id={`org-${organization.slug}`}>{organization.name}</h2>
      <ErrorMessage error={list.error} />
      <ul>
        <li>
          <Link to={`/settings/${organization.slug}/`}>Organization settings</Link>
        </li>
        {list.data?.map((project) => (
          <li key={project.slug}>
            <Link to={`/settings/${organization.slug}/projects/${project.slug}/keys/`}>
              {project.name}: client keys
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `/settings`: every settings page the person can reach, by organization and project. */
export function SettingsIndexPage() {
  const orgs = useQuery({ queryKey: ['organizations'], queryFn: organizations });
  return (
    <section>
      <h1>Settings</h1>
      <h2>You</h2>
      <ul>
        <li>
          <Link to="/settings/account/api-tokens/">Your API tokens</Link>
        </li>
      </ul>
      {orgs.error ? (
        <ErrorMessage error={orgs.error} />
      ) : !orgs.data ? (
        <p className="muted">Loading…</p>
      ) : (
        orgs.data.map((org) => <OrganizationSettingsLinks key={org.slug} organization={org} />)
      )}
    </section>
  );
}
