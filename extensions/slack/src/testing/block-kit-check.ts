import { BLOCK_KIT } from '../limits';

type Json = Record<string, unknown>;

const textOf = (value: unknown): string =>
  typeof value === 'object' && value !== null && typeof (value as Json).text === 'string'
    ? ((value as Json).text as string)
    : '';

const length = (text: string) => Array.from(text).length;

/**
 * The Block Kit limits a message breaks, as Slack's own validation would name them (empty when
 * Slack would take it). Checks what the card builder produces: blocks, sections, fields, context,
 * actions, buttons and selects.
 */
export function blockKitProblems(blocks: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  if (blocks.length > BLOCK_KIT.blocksPerMessage)
    problems.push(`${blocks.length} blocks (max ${BLOCK_KIT.blocksPerMessage})`);
  const over = (where: string, text: string, max: number) => {
    if (length(text) > max) problems.push(`${where}: ${length(text)} characters (max ${max})`);
  };
  blocks.forEach((raw, index) => {
    const block = raw as Json;
    const at = `blocks[${index}] (${String(block.type)})`;
    if (block.type === 'header') over(at, textOf(block.text), BLOCK_KIT.headerText);
    if (block.type === 'section') {
      if (block.text === undefined && block.fields === undefined)
        problems.push(`${at}: needs text or fields`);
      over(`${at}.text`, textOf(block.text), BLOCK_KIT.sectionText);
      const fields = (block.fields ?? []) as unknown[];
      if (fields.length > BLOCK_KIT.sectionFields) problems.push(`${at}: ${fields.length} fields`);
      fields.forEach((field, i) => over(`${at}.fields[${i}]`, textOf(field), BLOCK_KIT.fieldText));
    }
    if (block.type === 'context') {
      const elements = (block.elements ?? []) as unknown[];
      if (elements.length === 0 || elements.length > BLOCK_KIT.contextElements)
        problems.push(`${at}: ${elements.length} elements`);
      elements.forEach((element, i) => over(`${at}.elements[${i}]`, textOf(element), BLOCK_KIT.contextText));
    }
    if (block.type === 'actions') {
      const elements = (block.elements ?? []) as Json[];
      if (elements.length === 0 || elements.length > BLOCK_KIT.elementsPerActions)
        problems.push(`${at}: ${elements.length} elements`);
      elements.forEach((element, i) => {
        const where = `${at}.elements[${i}]`;
        if (typeof element.action_id !== 'string' || length(element.action_id) > BLOCK_KIT.actionId)
          problems.push(`${where}: action_id missing or too long`);
        if (element.type === 'button') {
          over(`${where}.text`, textOf(element.text), BLOCK_KIT.buttonText);
          if (typeof element.value === 'string') over(`${where}.value`, element.value, BLOCK_KIT.buttonValue);
          if (typeof element.url === 'string') over(`${where}.url`, element.url, BLOCK_KIT.buttonUrl);
        }
        if (element.type === 'static_select') {
          const options = (element.options ?? []) as Json[];
          if (options.length === 0 || options.length > BLOCK_KIT.optionsPerSelect)
            problems.push(`${where}: ${options.length} options`);
          options.forEach((option, o) => {
            over(`${where}.options[${o}].text`, textOf(option.text), BLOCK_KIT.optionText);
            over(`${where}.options[${o}].value`, String(option.value ?? ''), BLOCK_KIT.optionValue);
          });
        }
      });
    }
  });
  return problems;
}
