import { BLOCK_KIT, trim, type Block } from '@faultline/extension-slack';

/** The part of JSON Schema an issue action's `inputSchema` uses (z.toJSONSchema of a zod object). */
export interface InputSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, InputSchema>;
  required?: string[];
  enum?: unknown[];
  maxLength?: number;
}

/** What a modal carries from the click to its submission. */
export interface ModalContext {
  issueId: string;
  plugin: string;
  action: string;
  channel: string;
  ts?: string;
}

export const MODAL_CALLBACK = 'faultline_issue_action';
/** Modals hold at most 100 blocks; labels 2000 characters, titles and buttons 24. */
const MODAL_BLOCKS = 100;
const plain = (text: string, max: number) => ({ type: 'plain_text', text: trim(text, max) });

function elementFor(schema: InputSchema): Block {
  if (Array.isArray(schema.enum))
    return {
      type: 'static_select',
      action_id: 'value',
      options: schema.enum.slice(0, BLOCK_KIT.optionsPerSelect).map((value) => ({
        text: plain(String(value), BLOCK_KIT.optionText),
        value: trim(String(value), BLOCK_KIT.optionValue),
      })),
    };
  if (schema.type === 'boolean')
    return { type: 'checkboxes', action_id: 'value', options: [{ text: plain('Yes', 75), value: 'true' }] };
  return {
    type: 'plain_text_input',
    action_id: 'value',
    multiline: schema.maxLength === undefined || schema.maxLength > 150,
    ...(schema.maxLength ? { max_length: Math.min(schema.maxLength, 3000) } : {}),
  };
}

/** The modal asking for an issue action's input: one input block per property of its schema. */
export function actionModal(
  label: string,
  schema: InputSchema,
  context: ModalContext,
): Record<string, unknown> {
  const required = new Set(schema.required ?? []);
  const blocks = Object.entries(schema.properties ?? {})
    .slice(0, MODAL_BLOCKS)
    .map(([name, property]) => ({
      type: 'input',
      block_id: trim(name, BLOCK_KIT.actionId),
      optional: !required.has(name),
      label: plain(property.title ?? name, 2000),
      ...(property.description ? { hint: plain(property.description, 2000) } : {}),
      element: elementFor(property),
    }));
  return {
    type: 'modal',
    callback_id: MODAL_CALLBACK,
    private_metadata: JSON.stringify(context),
    title: plain(label, 24),
    submit: plain('Run', 24),
    close: plain('Cancel', 24),
    blocks,
  };
}

type StateValue = {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
};

/** The submitted values as the action's input, typed as its schema says (numbers, booleans). */
export function inputOf(
  schema: InputSchema,
  values: Record<string, Record<string, StateValue>>,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const state = values[name]?.value;
    if (!state) continue;
    if (property.type === 'boolean') input[name] = (state.selected_options ?? []).length > 0;
    else if (state.selected_option) input[name] = state.selected_option.value;
    else if (state.value !== undefined && state.value !== null && state.value !== '')
      input[name] =
        property.type === 'number' || property.type === 'integer' ? Number(state.value) : state.value;
  }
  return input;
}
