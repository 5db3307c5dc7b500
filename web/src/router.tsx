import { createBrowserRouter } from 'react-router';
import { Layout } from './components/Layout';
import { lazyPage } from './lazy-page';
import { AcceptInvitePage } from './pages/AcceptInvitePage';
import { AccountLinkPage } from './pages/AccountLinkPage';
import { HomePage } from './pages/HomePage';
import { IssueListPage } from './pages/IssueListPage';
import { prefetchIssueList } from './pages/issue-list/list-queries';
import { NotFoundPage } from './pages/NotFoundPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { SignInPage } from './pages/SignInPage';
import { queryClient } from './query-client';
import { settingsRoutes } from './settings/routes';

/**
 * Every page's URL. These are the stable addresses the API's `permalink` fields and the server's
 * printed links point at (the server's history fallback answers index.html for all of them).
 */
export const router = createBrowserRouter([
  { path: '/auth/login', element: <SignInPage /> },
  // An organization's own sign-in page (Sentry's address): the password, and its SSO when it has one.
  { path: '/auth/login/:organization', element: <SignInPage /> },
  // Where single sign-on ends for a person who also has Faultline 2FA (TWO_FACTOR_PATH in core).
  { path: '/auth/two-factor', element: <SignInPage step="code" /> },
  // The path of the password reset link the server mails and the bootstrap prints (RESET_PATH).
  { path: '/auth/reset-password', element: <ResetPasswordPage /> },
  // The invitation link the API hands out (`inviteLink`); open to people not signed in yet.
  { path: '/accept/:inviteId/:token', element: <AcceptInvitePage /> },
  {
    element: <Layout />,
    children: [
      { path: '/', element: <HomePage /> },
      {
        path: '/organizations/:organization/issues',
        element: <IssueListPage />,
        loader: ({ params, request }) => {
          prefetchIssueList(queryClient, params.organization!, new URL(request.url).searchParams);
          return null;
        },
      },
      // The issue permalink the API hands out (issuePermalink in core/src/issues/links.ts).
      {
        path: '/organizations/:organization/issues/:issueId',
        ...lazyPage(() => import('./pages/IssuePage'), 'IssuePage'),
      },
      {
        path: '/organizations/:organization/issues/:issueId/events/:eventId',
        ...lazyPage(() => import('./pages/IssuePage'), 'IssuePage'),
      },
      // Where a Slack or GitHub account-link leads (ACCOUNT_LINK_PATH in core); signed in only.
      { path: '/account-links/confirm', element: <AccountLinkPage /> },
      ...settingsRoutes,
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
