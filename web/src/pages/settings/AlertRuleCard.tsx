import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  alertRuleFires,
  deleteAlertRule,
  updateAlertRule,
  type AlertRule,
  type AlertRuleConfiguration,
} from '../../api/alert-rules';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RelativeTime } from '../../components/RelativeTime';
import {
  ACTION_MATCH_WORDS,
  FILTER_MATCH_WORDS,
  describeFilter,
  describeTrigger,
} from '../../settings/alert-rule-text';
import { AlertRuleEditor } from './AlertRuleEditor';

interface Props {
  rule: AlertRule;
  organization: string;
  project: string;
  /** What the editor offers; given only to those who may change rules (project:write). */
  configuration: AlertRuleConfiguration | undefined;
}

/**
 * One alert rule in words: when it fires, for which issues, what it does; and its fire history. With
 * `configuration`, it can be edited, disabled and enabled, and deleted (after a second click).
 */
export function AlertRuleCard({ rule, organization, project, configuration }: Props) {
  const queryClient = useQueryClient();
  const [showFires, setShowFires] = useState(false);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const canWrite = configuration !== undefined;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['rules', organization, project] });
  const update = useMutation({
    mutationFn: (status: AlertRule['status']) => updateAlertRule(organization, project, rule.id, { status }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => deleteAlertRule(organization, project, rule.id),
    onSuccess: refresh,
  });
  const fires = useQuery({
    queryKey: ['rule-fires', organization, project, rule.id],
    queryFn: () => alertRuleFires(organization, project, rule.id),
    enabled: showFires,
  });
  const titleId = `rule-${rule.id}`;
  const active = rule.status === 'active';
  if (editing && configuration)
    return (
      <AlertRuleEditor
        organization={organization}
        project={project}
        configuration={configuration}
        rule={rule}
        onDone={() => setEditing(false)}
      />
    );

  return (
    <article className="card" aria-labelledby={titleId}>
      <header className="card-header">
        <h3 id={titleId}>{rule.name}</h3>
        <span className="muted">{active ? 'Active' : 'Disabled'}</span>
      </header>
      <p>When {ACTION_MATCH_WORDS[rule.actionMatch]}:</p>
      <ul>
        {rule.conditions.map((trigger, i) => (
          <li key={i}>{describeTrigger(trigger)}</li>
        ))}
      </ul>
      {rule.filters.length > 0 && (
        <>
          <p>and {FILTER_MATCH_WORDS[rule.filterMatch]}:</p>
          <ul>
            {rule.filters.map((filter, i) => (
              <li key={i}>{describeFilter(filter)}</li>
            ))}
          </ul>
        </>
      )}
      <p>
        Then: {rule.actions.map((action) => `notify through ${action.plugin}`).join(', ')}; at most once per
        issue every {rule.frequency} minutes
        {rule.digest ? `, gathered in a digest every ${rule.digest.minutes} minutes` : ''}.
      </p>
      <p>
        {canWrite && (
          <>
            <button type="button" onClick={() => setEditing(true)}>
              Edit {rule.name}
            </button>{' '}
            <button
              type="button"
              disabled={update.isPending}
              onClick={() => update.mutate(active ? 'disabled' : 'active')}
            >
              {active ? `Disable ${rule.name}` : `Enable ${rule.name}`}
            </button>{' '}
            {confirmDelete ? (
              <button type="button" disabled={remove.isPending} onClick={() => remove.mutate()}>
                Delete {rule.name} and its history
              </button>
            ) : (
              <button type="button" className="secondary" onClick={() => setConfirmDelete(true)}>
                Delete {rule.name}
              </button>
            )}
          </>
        )}{' '}
        <button type="button" className="secondary" onClick={() => setShowFires(!showFires)}>
          {showFires ? 'Hide fires' : 'Show fires'}
        </button>
      </p>
      <ErrorMessage error={update.error ?? remove.error ?? fires.error} />
      {showFires &&
        (!fires.data ? (
          <p className="muted">Loading…</p>
        ) : fires.data.length === 0 ? (
          <p className="empty">This rule has not fired yet.</p>
        ) : (
          <ul aria-label={`Fires of ${rule.name}`}>
            {fires.data.map((fire) => (
              <li key={fire.id}>
                <RelativeTime iso={fire.dateFired} /> on issue {fire.issue}
                {fire.trigger ? ` (${fire.trigger})` : ''}
                {fire.reason ? `: ${fire.reason}` : ''}
              </li>
            ))}
          </ul>
        ))}
    </article>
  );
}
