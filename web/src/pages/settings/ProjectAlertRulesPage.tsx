import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { alertRuleConfiguration, alertRules } from '../../api/alert-rules';
import { QueryError } from '../../components/QueryError';
import { useOrganizationAccess } from '../../settings/access';
import { AlertRuleCard } from './AlertRuleCard';
import { AlertRuleEditor } from './AlertRuleEditor';

/**
 * A project's issue alert rules, in words, with their fire history; creating, editing, disabling and
 * deleting them for those who may (`project:write`).
 */
export function ProjectAlertRulesPage() {
  const { organization = '', project = '' } = useParams();
  const access = useOrganizationAccess(organization);
  const canWrite = access.can('project:write');
  const [creating, setCreating] = useState(false);
  const rules = useQuery({
    queryKey: ['rules', organization, project],
    queryFn: () => alertRules(organization, project),
  });
  // What the editor offers: only asked of those who may edit.
  const configuration = useQuery({
    queryKey: ['rule-configuration', organization, project],
    queryFn: () => alertRuleConfiguration(organization, project),
    enabled: canWrite,
  });

  return (
    <>
      <h2>Alert rules</h2>
      <p className="muted">What notifies people of this project&apos;s issues.</p>
      {canWrite && configuration.error && <QueryError error={configuration.error} />}
      {canWrite &&
        configuration.data &&
        (creating ? (
          <AlertRuleEditor
            organization={organization}
            project={project}
            configuration={configuration.data}
            onDone={() => setCreating(false)}
          />
        ) : (
          <p>
            <button type="button" onClick={() => setCreating(true)}>
              New alert rule
            </button>
          </p>
        ))}
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
            configuration={canWrite ? configuration.data : undefined}
          />
        ))
      )}
    </>
  );
}
