import type { AlertRule, AlertRuleBody, AlertRuleConfiguration } from '../api/alert-rules';
import {
  formFields,
  initialValues,
  inputFrom,
  type FormField,
  type FormValues,
} from '../components/schema-form';

/**
 * One kind of part a rule is made of, as the editor offers it: a trigger or filter (named by its
 * `id`) or a plugin's alert action (named by the plugin), with its form's JSON Schema.
 */
export interface PartKind {
  id: string;
  label: string;
  schema: Record<string, unknown>;
  /** Not offered for new parts (a plugin that is off for the project), but kept when a rule has it. */
  disabled?: boolean;
}

/** A part being edited: its kind and what its form holds. */
export interface PartDraft {
  id: string;
  values: FormValues;
  /**
   * What the part had that its form doesn't show (a config the plugin declares no schema for, a
   * shape the form can't show): sent back as it was, so editing a rule never loses it.
   */
  kept?: Record<string, unknown>;
}

export interface RuleDraft {
  name: string;
  actionMatch: AlertRule['actionMatch'];
  filterMatch: AlertRule['filterMatch'];
  conditions: PartDraft[];
  filters: PartDraft[];
  actions: PartDraft[];
  /** Minutes as typed. */
  frequency: string;
  /** Minutes as typed; empty: no digest. */
  digestMinutes: string;
}

/** The plugins' alert actions as part kinds; one that is off for the project says so. */
export function actionKinds(configuration: AlertRuleConfiguration): PartKind[] {
  return configuration.actions.map((action) => ({
    id: action.plugin,
    label: action.enabled ? action.plugin : `${action.plugin} (off for this project)`,
    schema: action.configSchema ?? {},
    disabled: !action.enabled,
  }));
}

/** The fields of a kind's form (a trigger's `id` is among them, fixed and not shown). */
export function partFields(kinds: PartKind[], id: string): FormField[] {
  return formFields(kinds.find((kind) => kind.id === id)?.schema ?? {});
}

/** A new part of the first kind offered (or of kind `id`), its form at the schema's defaults. */
export function newPart(kinds: PartKind[], id?: string): PartDraft {
  const kind = id ?? kinds.find((k) => !k.disabled)?.id ?? kinds[0]?.id ?? '';
  return { id: kind, values: initialValues(partFields(kinds, kind)) };
}

function partOf(kinds: PartKind[], id: string, current: Record<string, unknown>): PartDraft {
  const fields = partFields(kinds, id);
  const shown = new Set(fields.map((f) => f.name));
  const kept = Object.fromEntries(
    Object.entries(current).filter(([name]) => !shown.has(name) && name !== 'id'),
  );
  return { id, values: initialValues(fields, current), kept };
}

/** What the editor starts with: the rule's parts in their forms, or a new rule with one trigger and one action. */
export function draftOf(configuration: AlertRuleConfiguration, rule?: AlertRule): RuleDraft {
  const actions = actionKinds(configuration);
  if (!rule)
    return {
      name: '',
      actionMatch: 'any',
      filterMatch: 'all',
      conditions: [newPart(configuration.conditions)],
      filters: [],
      actions: actions.length > 0 ? [newPart(actions)] : [],
      frequency: '30',
      digestMinutes: '',
    };
  return {
    name: rule.name,
    actionMatch: rule.actionMatch,
    filterMatch: rule.filterMatch,
    conditions: rule.conditions.map((c) => partOf(configuration.conditions, c.id, c)),
    filters: rule.filters.map((f) => partOf(configuration.filters, f.id, f)),
    actions: rule.actions.map((a) => partOf(actions, a.plugin, a.config)),
    frequency: String(rule.frequency),
    digestMinutes: rule.digest ? String(rule.digest.minutes) : '',
  };
}

function inputOf(kinds: PartKind[], part: PartDraft): Record<string, unknown> {
  return { ...part.kept, ...inputFrom(partFields(kinds, part.id), part.values) };
}

/**
 * The rule the API is sent. Parts are read through their schemas and sent as typed: the API checks
 * them and its refusal names what is wrong (e.g. `conditions.0.value`).
 */
export function bodyOf(configuration: AlertRuleConfiguration, draft: RuleDraft): AlertRuleBody {
  const actions = actionKinds(configuration);
  const digest = draft.digestMinutes.trim();
  return {
    name: draft.name,
    actionMatch: draft.actionMatch,
    filterMatch: draft.filterMatch,
    conditions: draft.conditions.map((c) =>
      inputOf(configuration.conditions, c),
    ) as AlertRuleBody['conditions'],
    filters: draft.filters.map((f) => inputOf(configuration.filters, f)) as AlertRuleBody['filters'],
    actions: draft.actions.map((a) => ({ plugin: a.id, config: inputOf(actions, a) })),
    frequency: Number(draft.frequency),
    digest: digest === '' ? null : { minutes: Number(digest) },
  };
}
