import { useQuery } from '@tanstack/react-query';
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
