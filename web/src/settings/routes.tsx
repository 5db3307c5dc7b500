import './settings.css';
import type { RouteObject } from 'react-router';
import { Navigate } from 'react-router';
import { AccountLayout } from '../pages/settings/AccountLayout';
import { AccountSecurityPage } from '../pages/settings/AccountSecurityPage';
import { AccountSessionsPage } from '../pages/settings/AccountSessionsPage';
import { AccountTokensPage } from '../pages/settings/AccountTokensPage';
import { OrganizationAuditLogPage } from '../pages/settings/OrganizationAuditLogPage';
import { OrganizationMembersPage } from '../pages/settings/OrganizationMembersPage';
import { OrganizationOverview } from '../pages/settings/OrganizationOverview';
import { OrganizationSecurityPage } from '../pages/settings/OrganizationSecurityPage';
import { OrganizationSettingsLayout } from '../pages/settings/OrganizationSettingsLayout';
import { OrganizationTeamsPage } from '../pages/settings/OrganizationTeamsPage';
import { OrganizationTokensPage } from '../pages/settings/OrganizationTokensPage';
import { DeviceApprovalPage } from '../pages/settings/DeviceApprovalPage';
import { LinkedAccountsPage } from '../pages/settings/LinkedAccountsPage';
import { ProjectAlertRulesPage } from '../pages/settings/ProjectAlertRulesPage';
import { ProjectKeysPage } from '../pages/settings/ProjectKeysPage';
import { ProjectPluginsPage } from '../pages/settings/ProjectPluginsPage';
import { ProjectSettingsLayout } from '../pages/settings/ProjectSettingsLayout';
import { SettingsIndexPage } from '../pages/settings/SettingsIndexPage';

/**
 * The settings pages' URLs (inside the signed-in layout). Each tab has its own stable address, so a
 * link can point at, say, a project's keys: `/settings/{org}/projects/{project}/keys/`.
 */
export const settingsRoutes: RouteObject[] = [
  { path: '/settings', element: <SettingsIndexPage /> },
  // Where the device sign-in's verification URI (/oauth/device) sends people: APPROVAL_PAGE_PATH in core.
  { path: '/auth/device', element: <DeviceApprovalPage /> },
  // Static segments outrank `:organization`, so `account` is never read as an organization's slug.
  {
    path: '/settings/account',
    element: <AccountLayout />,
    children: [
      { index: true, element: <Navigate to="api-tokens/" replace /> },
      { path: 'api-tokens', element: <AccountTokensPage /> },
      { path: 'security', element: <AccountSecurityPage /> },
      { path: 'sessions', element: <AccountSessionsPage /> },
      { path: 'linked-accounts', element: <LinkedAccountsPage /> },
    ],
  },
  {
    path: '/settings/:organization',
    element: <OrganizationSettingsLayout />,
    children: [
      { index: true, element: <OrganizationOverview /> },
      { path: 'auth-tokens', element: <OrganizationTokensPage /> },
      { path: 'members', element: <OrganizationMembersPage /> },
      { path: 'teams', element: <OrganizationTeamsPage /> },
      { path: 'audit-log', element: <OrganizationAuditLogPage /> },
      { path: 'security', element: <OrganizationSecurityPage /> },
    ],
  },
  {
    path: '/settings/:organization/projects/:project',
    element: <ProjectSettingsLayout />,
    children: [
      { index: true, element: <Navigate to="keys/" replace /> },
      { path: 'keys', element: <ProjectKeysPage /> },
      { path: 'plugins', element: <ProjectPluginsPage /> },
      { path: 'alert-rules', element: <ProjectAlertRulesPage /> },
    ],
  },
];
