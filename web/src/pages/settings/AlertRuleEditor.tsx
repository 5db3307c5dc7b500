import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  createAlertRule,
  updateAlertRule,
  type AlertRule,
  type AlertRuleConfiguration,
} from '../../api/alert-rules';
import { ErrorMessage } from '../../components/ErrorMessage';
import { SchemaFields } from '../../components/SchemaForm';
import {
  actionKinds,
  bodyOf,
  draftOf,
  newPart,
  partFields,
  type PartDraft,
  type PartKind,
  type RuleDraft,
} from '../../settings/alert-rule-form';
import { ACTION_MATCH_WORDS, FILTER_MATCH_WORDS } from '../../settings/alert-rule-text';

interface Props {
  organization: string;
  project: string;
  configuration: AlertRuleConfiguration;
  /** The rule to edit; none: a new rule. */
  rule?: AlertRule;
  onDone: () => void;
}

/**
 * Creating or editing an alert rule: its triggers, filters and actions, each a kind chosen from what
 * the API offers (`rules/configuration/`) and a form generated from that kind's JSON Schema. What
 * the API refuses is shown in its words, and the form stays as typed.
 */
export function AlertRuleEditor({ organization, project, configuration, rule, onDone }: Props) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => draftOf(configuration, rule));
  const actions = actionKinds(configuration);
  const save = useMutation({
    mutationFn: () => {
      const body = bodyOf(configuration, draft);
      return rule
        ? updateAlertRule(organization, project, rule.id, body)
        : createAlertRule(organization, project, body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['rules', organization, project] });
      onDone();
    },
  });
  const set = (change: Partial<RuleDraft>) => setDraft({ ...draft, ...change });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const title = rule ? `Edit ${rule.name}` : 'New alert rule';

  return (
    <form className="card rule-editor" aria-label={title} onSubmit={submit}>
      <h3>{title}</h3>
      <label>
        Name
        <input required value={draft.name} onChange={(e) => set({ name: e.currentTarget.value })} />
      </label>
      <fieldset className="schema-group">
        <legend>Triggers</legend>
        <MatchSelect
          label="Fire when"
          words={ACTION_MATCH_WORDS}
          value={draft.actionMatch}
          onChange={(actionMatch) => set({ actionMatch })}
        />
        <Parts
          noun="Trigger"
          kinds={configuration.conditions}
          parts={draft.conditions}
          onChange={(conditions) => set({ conditions })}
        />
      </fieldset>
      <fieldset className="schema-group">
        <legend>Filters</legend>
        <MatchSelect
          label="Only if"
          words={FILTER_MATCH_WORDS}
          value={draft.filterMatch}
          onChange={(filterMatch) => set({ filterMatch })}
        />
        <Parts
          noun="Filter"
          kinds={configuration.filters}
          parts={draft.filters}
          onChange={(filters) => set({ filters })}
        />
      </fieldset>
      <fieldset className="schema-group">
        <legend>Actions</legend>
        {actions.length === 0 ? (
          <p className="muted">No plugin offers an alert action in this installation.</p>
        ) : (
          <Parts noun="Action" kinds={actions} parts={draft.actions} onChange={(a) => set({ actions: a })} />
        )}
      </fieldset>
      <label>
        At most once per issue every (minutes; 0: every time)
        <input
          type="number"
          min={0}
          step={1}
          required
          value={draft.frequency}
          onChange={(e) => set({ frequency: e.currentTarget.value })}
        />
      </label>
      <label>
        Gather fires in a digest every (minutes; empty: no digest)
        <input
          type="number"
          min={1}
          step={1}
          value={draft.digestMinutes}
          onChange={(e) => set({ digestMinutes: e.currentTarget.value })}
        />
      </label>
      <p>
        <button type="submit" disabled={save.isPending}>
          {rule ? 'Save rule' : 'Create rule'}
        </button>{' '}
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </p>
      <ErrorMessage error={save.error} />
    </form>
  );
}

/** How a rule's triggers or filters combine, chosen by their words. */
function MatchSelect<M extends string>({
  label,
  words,
  value,
  onChange,
}: {
  label: string;
  words: Record<M, string>;
  value: M;
  onChange: (value: M) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value as M)}>
        {(Object.entries(words) as [M, string][]).map(([match, text]) => (
          <option key={match} value={match}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A rule's triggers, filters or actions: each of a kind, with its generated fields; added and removed. */
function Parts({
  noun,
  kinds,
  parts,
  onChange,
}: {
  noun: string;
  kinds: PartKind[];
  parts: PartDraft[];
  onChange: (parts: PartDraft[]) => void;
}) {
  const replace = (index: number, part: PartDraft) => onChange(parts.map((p, i) => (i === index ? part : p)));
  return (
    <>
      {parts.map((part, index) => {
        const name = `${noun} ${index + 1}`;
        return (
          <fieldset key={index} className="schema-group">
            <legend>{name}</legend>
            <label>
              Kind
              <select value={part.id} onChange={(e) => replace(index, newPart(kinds, e.currentTarget.value))}>
                {kinds.map((kind) => (
                  <option key={kind.id} value={kind.id} disabled={kind.disabled && kind.id !== part.id}>
                    {kind.label}
                  </option>
                ))}
              </select>
            </label>
            <SchemaFields
              fields={partFields(kinds, part.id)}
              values={part.values}
              onChange={(values) => replace(index, { ...part, values })}
            />
            <button
              type="button"
              className="secondary"
              onClick={() => onChange(parts.filter((_, i) => i !== index))}
            >
              Remove {name.toLowerCase()}
            </button>
          </fieldset>
        );
      })}
      <button type="button" className="secondary" onClick={() => onChange([...parts, newPart(kinds)])}>
        Add {/^[AEIOU]/.test(noun) ? 'an' : 'a'} {noun.toLowerCase()}
      </button>
    </>
  );
}
