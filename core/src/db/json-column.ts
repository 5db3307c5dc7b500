/** A json/jsonb column's value: parsed by the `pg` driver, but text from PGlite in some queries. */
export function jsonColumn<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
