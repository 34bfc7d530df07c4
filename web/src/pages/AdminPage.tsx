import { Link } from '../router.tsx';

/** The administration sections; each later slice of the portal fills one in. */
export const ADMIN_SECTIONS = [
  { path: '/admin/roles', label: 'Roles' },
  { path: '/admin/role-settings', label: 'Role settings' },
  { path: '/admin/assignments', label: 'Assignments' },
  { path: '/admin/users', label: 'Users' },
  { path: '/admin/groups', label: 'Groups' },
  { path: '/admin/administrative-units', label: 'Administrative units' },
  { path: '/admin/audit', label: 'Audit log' },
] as const;

export function AdminPage({ path }: { path: string }) {
  const section = ADMIN_SECTIONS.find((s) => s.path === path);
  return (
    <main id="main">
      <h1>{section === undefined ? 'Administration' : section.label}</h1>
      {section !== undefined && (
        <p className="notice">This section of the portal comes in a later release. Until then use the API (<a href="/api/docs">/api/docs</a>) or the <code>pim</code> command.</p>
      )}
      <nav aria-label="Administration sections">
        <ul className="plain">
          {ADMIN_SECTIONS.map((s) => <li key={s.path}><Link to={s.path} aria-current={s.path === path ? 'page' : undefined}>{s.label}</Link></li>)}
        </ul>
      </nav>
    </main>
  );
}
