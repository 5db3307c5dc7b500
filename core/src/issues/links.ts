/** How an issue is named and linked to, the same in the REST API, plugins and notifications. */

/** Sentry's short id: the project slug in capitals and the issue's number in its project (`APP-3`). */
export function formatShortId(projectSlug: string, shortId: number): string {
  return `${projectSlug.toUpperCase()}-${shortId}`;
}

/** Where a person opens the issue, below the installation's public URL. */
export function issuePermalink(publicUrl: string, organizationSlug: string, issueId: number): string {
  return `${publicUrl}/organizations/${organizationSlug}/issues/${issueId}/`;
}
