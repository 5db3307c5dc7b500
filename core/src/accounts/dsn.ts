/** Builds the DSN an SDK is configured with: `{proto}://{public_key}@{host}[:port][/path]/{project_id}`. */
export function buildDsn(publicUrl: string, publicKey: string, projectId: number): string {
  const url = new URL(publicUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${publicKey}@${url.host}${path}/${projectId}`;
}
