/**
 * Block Kit's limits (Slack's reference for blocks, elements and composition objects). A message past
 * any of them is refused by Slack (`invalid_blocks`), so every value the card builder takes from an
 * issue goes through `trim` with the limit of the field it lands in.
 */
export const BLOCK_KIT = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  elementsPerActions: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  optionsPerSelect: 100,
  optionText: 75,
  optionValue: 150,
  placeholderText: 150,
  /** The notification fallback `text`; Slack truncates past 40,000 and advises far less. */
  messageText: 4000,
} as const;

/** The text cut to `max` characters (code points, not halves of an emoji), ending in `…` when cut. */
export function trim(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, max - 1).join('') + '…';
}

/** Escapes what Slack's mrkdwn reads as markup (`&`, `<`, `>`), so issue text can't forge links or mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped, then trimmed so the escaping never pushes past the limit (an entity is never cut in half). */
export function mrkdwn(text: string, max: number): string {
  const escaped = Array.from(text, (char) => escapeMrkdwn(char));
  if (escaped.reduce((length, part) => length + part.length, 0) <= max) return escaped.join('');
  let out = '';
  for (const part of escaped) {
    if (out.length + part.length > max - 1) break;
    out += part;
  }
  return out + '…';
}
