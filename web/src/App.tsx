import { useEffect } from 'react';
import { StepUpDialog } from './components/StepUpDialog.tsx';
import { Loading } from './components/Status.tsx';
import { AdminPage } from './pages/AdminPage.tsx';
import { ApprovalsPage } from './pages/ApprovalsPage.tsx';
import { MyRequestsPage } from './pages/MyRequestsPage.tsx';
import { MyRolesPage } from './pages/MyRolesPage.tsx';
import { SecurityPage } from './pages/SecurityPage.tsx';
import { isNotificationsPath, NotificationsRoutes } from './pages/notifications/routes.tsx';
import { SetupPage } from './pages/SetupPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { usePageFocusAndTitle } from './page-focus.ts';
import { Link, match, navigate, useLocation } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';

const NAV = [
  { to: '/', label: 'My roles', active: (p: string) => p === '/' || p === '/my-roles' },
  { to: '/requests', label: 'My requests', active: (p: string) => p.startsWith('/requests') },
  { to: '/approvals', label: 'Approve requests', active: (p: string) => p.startsWith('/approvals') },
  { to: '/admin', label: 'Administration', active: (p: string) => p.startsWith('/admin') },
];

function Page({ path }: { path: string }) {
  if (path === '/' || path === '/my-roles') return <MyRolesPage />;
  if (path === '/requests') return <MyRequestsPage />;
  const req = match('/requests/:id', path);
  if (req !== null) return <MyRequestsPage key={req.id} id={req.id} />;
  if (path === '/approvals') return <ApprovalsPage />;
  const appr = match('/approvals/:id', path);
  if (appr !== null) return <ApprovalsPage key={appr.id} id={appr.id} />;
  if (isNotificationsPath(path)) return <NotificationsRoutes path={path} />;
  if (path === '/settings/security') return <SecurityPage />;
  if (path === '/admin' || path.startsWith('/admin/')) return <AdminPage path={path} />;
  return (
    <main id="main">
      <h1>Page not found</h1>
      <p>There is no page at {path}. <Link to="/">Go to My roles</Link>.</p>
    </main>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Shell() {
  const session = useSession();
  const { path } = useLocation();
  usePageFocusAndTitle(path);
  if (path === '/setup') return <SetupPage />;
  if (session.status === 'loading') return <main className="narrow" id="main"><Loading what="openpim" /></main>;
  if (session.status === 'signedOut' || session.user === null) return <SignInPage />;
  if (path === '/sign-in') return <Redirect to="/" />;
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <Link to="/" className="brand">openpim</Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => <li key={n.to}><Link to={n.to} aria-current={n.active(path) ? 'page' : undefined}>{n.label}</Link></li>)}
          </ul>
        </nav>
        <div className="me">
          <span title={session.user.userPrincipalName}>{session.user.displayName}</span>
          <Link to="/settings/notifications" aria-current={path === '/settings/notifications' ? 'page' : undefined}>Notification settings</Link>
          <Link to="/settings/security" aria-current={path === '/settings/security' ? 'page' : undefined}>Security</Link>
          <button type="button" className="secondary" onClick={() => void session.signOut()}>Sign out</button>
        </div>
      </header>
      <Page path={path} />
    </>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
      <StepUpDialog />
    </SessionProvider>
  );
}
