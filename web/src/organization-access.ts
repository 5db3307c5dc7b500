import { useQuery } from '@tanstack/react-query';
import { organization } from './api/issues';

/**
 * The caller's scopes in an organization, as the API reports them (`access`). Pages offer only
 * what the API would allow: a member without `event:write` sees no triage controls. While the
 * answer is loading nothing is allowed, so a control never flashes up and away.
 */
export function useScopes(organizationSlug: string): (scope: string) => boolean {
  const answer = useQuery({
    queryKey: ['organization', organizationSlug],
    queryFn: () => organization(organizationSlug),
    staleTime: 60_000,
  });
  const access: readonly string[] = answer.data?.access ?? [];
  return (scope) => access.includes(scope);
}
