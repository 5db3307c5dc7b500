import './settings.css';
import type { RouteObject } from 'react-router';
import { Navigate } from 'react-router';
import { ProjectKeysPage } from '../pages/settings/ProjectKeysPage';
import { ProjectSettingsLayout } from '../pages/settings/ProjectSettingsLayout';
import { SettingsIndexPage } from '../pages/settings/SettingsIndexPage';

/**
 * The settings pages' URLs (inside the signed-in layout). Each tab has its own stable address, so a
 * link can point at, say, a project's keys: `/settings/{org}/projects/{project}/keys/`.
 */
export const settingsRoutes: RouteObject[] = [
  { path: '/settings', element: <SettingsIndexPage /> },
  {
    path: '/settings/:organization/projects/:project',
    element: <ProjectSettingsLayout />,
    children: [
      { index: true, element: <Navigate to="keys/" replace /> },
      { path: 'keys', element: <ProjectKeysPage /> },
    ],
  },
];
