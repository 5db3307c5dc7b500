/** Ids are decimal strings; anything else names no project, issue or user. */
export const parseId = (text: unknown): number | undefined =>
  typeof text === 'string' && /^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined;
