/** A position in the change stream: after the row `id` of transaction `txid`. */
export interface ChangeCursor {
  txid: string;
  id: string;
}

export function formatCursor(cursor: ChangeCursor): string {
  return `${cursor.txid}-${cursor.id}`;
}

/** Parses `"<txid>-<id>"` (a `Last-Event-ID`); undefined for anything else. */
export function parseCursor(text: string | undefined): ChangeCursor | undefined {
  const match = /^(\d{1,19})-(\d{1,19})$/.exec(text?.trim() ?? '');
  return match ? { txid: match[1], id: match[2] } : undefined;
}
