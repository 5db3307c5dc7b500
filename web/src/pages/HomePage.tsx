import { useQuery } from '@tanstack/react-query';
import { Navigate } from 'react-router';
import { organizations } from '../api/faultline';
import { ErrorMessage } from '../components/ErrorMessage';

/** `/`: the issues of the first organization the person belongs to. */
export function HomePage() {
  const orgs = useQuery({ queryKey: ['organizations'], queryFn: organizations });
  if (orgs.error) return <ErrorMessage error={orgs.error} />;
  if (!orgs.data) return <p className="muted">Loading…</p>;
  const first = orgs.data[0];
  if (!first) return <p>You are not a member of any organization yet. Ask an owner to invite you.</p>;
  return <Navigate to={`/organizations/${first.slug}/issues/`} replace />;
}
