import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { alertRuleFires, updateAlertRule, type AlertRule } from '../../api/settings';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RelativeTime } from '../../components/RelativeTime';
import { describeFilter, describeTrigger } from '../../settings/alert-rule-text';

interface Props {
  rule: AlertRule;
  organization: string;
  project: string;
  /** Whether to offer disabling and enabling (project:write). */
  canWrite: boolean;
}

const FILTER_MATCH = { all: 'all of these hold', any: 'any of these holds', none: 'none of these holds' };

/** One alert rule in words: when it fires, for which issues, what it does; and its fire history. */
export function AlertRuleCard({ rule, organization, project, canWrite }: Props) {
  const queryClient = useQueryClient();
  const [showFires, setShowFires] = useState(false);
  const update = useMutation({
    mutationFn: (status: AlertRule['status']) => updateAlertRule(organization, project, rule.id, { status }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['rules', organization, project] }),
  });
  const fires = useQuery({
    queryKey: ['rule-fires', organization, project, rule.id],
    queryFn: () => alertRuleFires(organization, project, rule.id),
    enabled: showFires,
  });
  const titleId = `rule-${rule.id}`;
  const active = rule.status === 'active';

  return (
    <article className="card" aria-labelledby={titleId}>
      <header className="card-header">
        <h3 id={titleId}>{rule.name}</h3>
        <span className="muted">{active ? 'Active' : 'Disabled'}</span>
      </header>
      <p>When {rule.actionMatch === 'all' ? 'all of these happen' : 'any of these happens'}:</p>
      <ul>
        {rule.conditions.map((trigger, i) => (
          <li key={i}>{describeTrigger(trigger)}</li>
        ))}
      </ul>
      {rule.filters.length > 0 && (
        <>
          <p>and {FILTER_MATCH[rule.filterMatch]}:</p>
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
          <button
            type="button"
            disabled={update.isPending}
            onClick={() => update.mutate(active ? 'disabled' : 'active')}
          >
            {active ? `Disable ${rule.name}` : `Enable ${rule.name}`}
          </button>
        )}{' '}
        <button type="button" className="secondary" onClick={() => setShowFires(!showFires)}>
          {showFires ? 'Hide fires' : 'Show fires'}
        </button>
      </p>
      <ErrorMessage error={update.error ?? fires.error} />
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
