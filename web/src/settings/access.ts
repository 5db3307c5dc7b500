import { useQueries, useQuery } from '@tanstack/react-query';
import { organizations } from '../api/faultline';
import { organizationDetails, type Scope } from '../api/settings';
import { grants } from './scopes';

/** The caller's organization, with `can(scope)` saying what its pages may offer them. */
export function useOrganizationAccess(organization: string) {
  const details = useQuery({
    queryKey: ['organization', organization],
    queryFn: () => organizationDetails(organization),
  });
  const access = details.data?.access ?? [];
  return { ...details, can: (scope: Scope) => grants(access, scope) };
}

/**
 * Every scope the caller holds in some organization: what a user token of theirs can use at most
 * (the API narrows it to their role in each organization).
 */
export function useHeldScopes(): { scopes: Scope[]; pending: boolean; error: unknown } {
  const orgs = useQuery({ queryKey: ['organizations'], queryFn: organizations });
  const details = useQueries({
    queries: (orgs.data ?? []).map((org) => ({
      queryKey: ['organization', org.slug],
      queryFn: () => organizationDetails(org.slug),
    })),
  });
  const held = new Set<Scope>();
  for (const answer of details) for (const scope of answer.data?.access ?? []) held.add(scope);
  return {
    scopes: [...held].sort(),
    pending: orgs.isPending || details.some((answer) => answer.isPending),
    error: orgs.error ?? details.find((answer) => answer.error)?.error,
  };
}
