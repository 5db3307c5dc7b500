import { NavLink, Outlet } from 'react-router';
import { Link } from 'react-router';

/** The tabs of your own account's settings, each at a stable URL under `/settings/account/`. */
const TABS = [
  { path: 'api-tokens', label: 'API tokens' },
  { path: 'security', label: 'Password and 2FA' },
  { path: 'sessions', label: 'Sessions' },
  { path: 'linked-accounts', label: 'Linked accounts' },
];

export function AccountLayout() {
  return (
    <section>
      <p className="muted">
        <Link to="/settings">Settings</Link>
      </p>
      <h1>Your account</h1>
      <nav className="tabs" aria-label="Account settings">
        {TABS.map((tab) => (
          <NavLink key={tab.path} to={`/settings/account/${tab.path}/`}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </section>
  );
}
