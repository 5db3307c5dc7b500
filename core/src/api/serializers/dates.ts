/** Sentry answers with ISO 8601 timestamps in UTC. */
export function isoDate(date: Date | string): string {
  return new Date(date).toISOString();
}

export function isoDateOrNull(date: Date | string | null | undefined): string | null {
  return date === null || date === undefined ? null : isoDate(date);
}
