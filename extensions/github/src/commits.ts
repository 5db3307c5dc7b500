/**
 * `fixes APP-12`, `Closes backend-3`, `resolves: WEB-7` in a commit message: the short ids it resolves.
 * Only these three verbs (and their -ed/-es forms) count, as in GitHub's own closing keywords, so a
 * message that merely mentions an issue resolves nothing.
 */
const CLOSING = /\b(?:fix(?:e[sd])?|close[sd]?|resolve[sd]?)\b:?\s+([A-Za-z0-9][A-Za-z0-9_-]*-\d{1,9})\b/gi;

export function shortIdsFixedBy(message: string): string[] {
  const found = new Set<string>();
  for (const match of message.matchAll(CLOSING)) found.add(match[1].toUpperCase());
  return [...found];
}

/** Each (commit, short id) a list of commits resolves, oldest commit first as GitHub lists a push. */
export function commitsResolvingOf<C extends { message: string }>(
  commits: readonly C[],
): { commit: C; shortId: string }[] {
  return commits.flatMap((commit) => shortIdsFixedBy(commit.message).map((shortId) => ({ commit, shortId })));
}
