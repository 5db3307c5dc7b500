/**
 * Postgres text cannot hold NUL ("invalid byte sequence for encoding UTF8: 0x00"), yet JSON events
 * can ("\u0000"). One such string would fail the whole batch again and again, so every string bound
 * for the event tables goes through here: NUL becomes U+FFFD.
 */
export const pgText = (value: string): string =>
  value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
export const pgTextOrNull = (value: string | null | undefined): string | null =>
  value == null ? null : pgText(value);
/** JSON for a json column; a `\u0000` escape (not an escaped backslash before "u0000") becomes `\ufffd`. */
export const pgJson = (value: unknown): string => {
  const json = JSON.stringify(value);
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
};
