import { useQuery } from '@tanstack/react-query';
import { currentUser } from './api/faultline';

/** The signed-in person; a 401 means nobody is (or the second factor is still missing). */
export function useCurrentUser() {
  return useQuery({ queryKey: ['me'], queryFn: currentUser, staleTime: 60_000 });
}
