import { lazy, Suspense } from 'react';
import { Loading } from '../components/Status.tsx';
import { Link } from '../router.tsx';

// The pages themselves load on first visit: people who never open Administration never download them.
const AdminSection = lazy(() => import('./admin/AdminSection.tsx'));

/** The administration sections (the API refuses people without the role: the page shows its message). */
export const ADMIN_SECTIONS = [
  { path: '/admin/roles', label: 'Roles', about: 'Role catalogue, custom roles, assignments (eligible, active, expired) and role settings per scope.' },
  { path: '/admin/users', label: 'Users', about: 'Create, enable or disable, delete and restore users and see their roles.' },
  { path: '/admin/groups', label: 'Groups', about: 'Groups, role-assignable ones included: members and owners; rename, delete, restore.' },
  { path: '/admin/administrative-units', label: 'Administrative units', about: 'Scopes for role assignments and their members; rename, delete, restore.' },
  { path: '/admin/audit', label: 'Audit log', about: 'Every change, filtered, exported as CSV, with the hash chain checked.' },
] as const;

/** Pages that other parts of the portal add under /admin (their own routes come first in App.tsx). */
export const ADMIN_LATER_SECTIONS = [
  { group: 'Notifications', links: [
    { path: '/admin/notifications/deliveries', label: 'Deliveries' },
    { path: '/admin/notifications/mailbox', label: 'Mailbox' },
    { path: '/admin/notifications/webhooks', label: 'Webhooks' },
  ] },
] as const;

function AdminNav({ path }: { path: string }) {
  const here = (p: string) => path === p || path.startsWith(`${p}/`);
  return (
    <nav aria-label="Administration" className="admin-nav">
      <h2 className="sr-only">Administration sections</h2>
      <ul className="plain">
        {ADMIN_SECTIONS.map((s) => <li key={s.path}><Link to={s.path} aria-current={here(s.path) ? 'page' : undefined}>{s.label}</Link></li>)}
      </ul>
      {ADMIN_LATER_SECTIONS.map((g) => (
        <div key={g.group}>
          <h3 className="admin-nav-group">{g.group}</h3>
          <ul className="plain">
            {g.links.map((s) => <li key={s.path}><Link to={s.path} aria-current={here(s.path) ? 'page' : undefined}>{s.label}</Link></li>)}
          </ul>
        </div>
      ))}
    </nav>
  );
}

function Overview() {
  return (
    <>
      <h1>Administration</h1>
      <ul className="plain admin-overview">
        {ADMIN_SECTIONS.map((s) => <li key={s.path} className="card"><Link to={s.path}>{s.label}</Link><p className="muted">{s.about}</p></li>)}
      </ul>
    </>
  );
}

/** /admin/…: the administration area, with its own navigation beside the page. */
export function AdminPage({ path }: { path: string }) {
  return (
    <main id="main" className="admin">
      <AdminNav path={path} />
      <div className="admin-body"><Suspense fallback={<Loading what="the administration pages" />}><AdminSection path={path} overview={<Overview />} /></Suspense></div>
    </main>
  );
}
