import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { alertRules } from '../../api/settings';
import { QueryError } from '../../components/QueryError';
import { useOrganizationAccess } from '../../settings/access';
import { AlertRuleCard } from './AlertRuleCard';

/** A project's issue alert rules, in words, with their fire history; disabling for those who may. */
export function ProjectAlertRulesPage() {
  const { organization = '', project = '' } = useParams();
  const access = useOrganizationAccess(organization);
  const rules = useQuery({
    queryKey: ['rules', organization, project],
    queryFn: () => alertRules(organization, project),
  });

  return (
    <>
      <h2>Alert rules</h2>
      <p className="muted">
        What notifies people of this project&apos;s issues. Rules are created and edited through the API (
        <code>/api/0/projects/…/rules/</code>) for now.
      </p>
      {rules.error ? (
        <QueryError error={rules.error} />
      ) : !rules.data ? (
        <p className="muted">Loading…</p>
      ) : rules.data.length === 0 ? (
        <p className="empty">This project has no alert rules.</p>
      ) : (
        rules.data.map((rule) => (
          <AlertRuleCard
            key={rule.id}
            rule={rule}
            organization={organization}
            project={project}
            canWrite={access.can('project:write')}
          />
        ))
      )}
    </>
  );
}
