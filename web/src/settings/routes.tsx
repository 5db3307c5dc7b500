import './settings.css';
import type { RouteObject } from 'react-router';
import { Navigate } from 'react-router';
import { lazyPage } from '../lazy-page';

/**
 * The settings pages' URLs (inside the signed-in layout). Each tab has its own stable address, so a
 * link can point at, say, a project's keys: `/settings/{org}/projects/{project}/keys/`.
 */
export const settingsRoutes: RouteObject[] = [
  {
    path: '/settings',
    ...lazyPage(() => import('../pages/settings/SettingsIndexPage'), 'SettingsIndexPage'),
  },
  // Where the device sign-in's verification URI (/oauth/device) sends people: APPROVAL_PAGE_PATH in core.
  {
    path: '/auth/device',
    ...lazyPage(() => import('../pages/settings/DeviceApprovalPage'), 'DeviceApprovalPage'),
  },
  // Static segments outrank `:organization`, so `account` is never read as an organization's slug.
  {
    path: '/settings/account',
    ...lazyPage(() => import('../pages/settings/AccountLayout'), 'AccountLayout'),
    children: [
      { index: true, element: <Navigate to="api-tokens/" replace /> },
      {
        path: 'api-tokens',
        ...lazyPage(() => import('../pages/settings/AccountTokensPage'), 'AccountTokensPage'),
      },
      {
        path: 'security',
        ...lazyPage(() => import('../pages/settings/AccountSecurityPage'), 'AccountSecurityPage'),
      },
      {
        path: 'sessions',
        ...lazyPage(() => import('../pages/settings/AccountSessionsPage'), 'AccountSessionsPage'),
      },
      {
        path: 'linked-accounts',
        ...lazyPage(() => import('../pages/settings/LinkedAccountsPage'), 'LinkedAccountsPage'),
      },
    ],
  },
  {
    path: '/settings/:organization',
    ...lazyPage(() => import('../pages/settings/OrganizationSettingsLayout'), 'OrganizationSettingsLayout'),
    children: [
      {
        index: true,
        ...lazyPage(() => import('../pages/settings/OrganizationOverview'), 'OrganizationOverview'),
      },
      {
        path: 'auth-tokens',
        ...lazyPage(() => import('../pages/settings/OrganizationTokensPage'), 'OrganizationTokensPage'),
      },
      {
        path: 'members',
        ...lazyPage(() => import('../pages/settings/OrganizationMembersPage'), 'OrganizationMembersPage'),
      },
      {
        path: 'teams',
        ...lazyPage(() => import('../pages/settings/OrganizationTeamsPage'), 'OrganizationTeamsPage'),
      },
      {
        path: 'audit-log',
        ...lazyPage(() => import('../pages/settings/OrganizationAuditLogPage'), 'OrganizationAuditLogPage'),
      },
      {
        path: 'security',
        ...lazyPage(() => import('../pages/settings/OrganizationSecurityPage'), 'OrganizationSecurityPage'),
      },
    ],
  },
  {
    path: '/settings/:organization/projects/:project',
    ...lazyPage(() => import('../pages/settings/ProjectSettingsLayout'), 'ProjectSettingsLayout'),
    children: [
      { index: true, element: <Navigate to="keys/" replace /> },
      { path: 'keys', ...lazyPage(() => import('../pages/settings/ProjectKeysPage'), 'ProjectKeysPage') },
      {
        path: 'plugins',
        ...lazyPage(() => import('../pages/settings/ProjectPluginsPage'), 'ProjectPluginsPage'),
      },
      {
        path: 'alert-rules',
        ...lazyPage(() => import('../pages/settings/ProjectAlertRulesPage'), 'ProjectAlertRulesPage'),
      },
    ],
  },
];
