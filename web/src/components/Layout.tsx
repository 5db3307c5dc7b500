import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/http';
import { signOut } from '../api/faultline';
import { useCurrentUser } from '../session';
import { ErrorMessage } from './ErrorMessage';
import { ServerBanner } from './ServerBanner';

/** The frame of every signed-in page: header, the connectivity banner, then the page. */
export function Layout() {
  const me = useCurrentUser();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  if (me.error instanceof ApiError && me.error.status === 401) {
    const next = location.pathname + location.search;
    return <Navigate to={`/auth/login?next=${encodeURIComponent(next)}`} replace />;
  }

  const leave = async () => {
    try {
      await signOut();
    } finally {
      queryClient.clear();
      void navigate('/auth/login');
    }
  };

  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          Faultline
        </Link>
        {me.data && (
          <div className="who">
            <span>{me.data.email}</span>
            <Link to="/settings">Settings</Link>
            <button type="button" className="secondary" onClick={() => void leave()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <ServerBanner />
      <main>
        {me.data ? (
          <Outlet />
        ) : me.isPending ? (
          <p className="muted">Loading…</p>
        ) : (
          <ErrorMessage error={me.error} />
        )}
      </main>
    </>
  );
}
