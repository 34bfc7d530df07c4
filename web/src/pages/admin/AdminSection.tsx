import type { ReactNode } from 'react';
import { Link, match } from '../../router.tsx';
import { AdministrativeUnitPage, AdministrativeUnitsPage } from './AdministrativeUnitsPage.tsx';
import { AuditPage } from './AuditPage.tsx';
import { GroupPage } from './GroupPage.tsx';
import { GroupsPage } from './GroupsPage.tsx';
import { RolePage } from './RolePage.tsx';
import { RoleSettingsPage } from './RoleSettingsPage.tsx';
import { RolesPage } from './RolesPage.tsx';
import { UserPage } from './UserPage.tsx';
import { UsersPage } from './UsersPage.tsx';

/** The administration page for a path under /admin (loaded on demand by AdminPage). */
export default function AdminSection({ path, overview }: { path: string; overview: ReactNode }) {
  if (path === '/admin' || path === '/admin/') return <>{overview}</>;
  if (path === '/admin/roles') return <RolesPage />;
  const settings = match('/admin/roles/:id/settings', path);
  if (settings !== null) return <RoleSettingsPage key={settings.id} id={settings.id ?? ''} />;
  const role = match('/admin/roles/:id', path);
  if (role !== null) return <RolePage key={role.id} id={role.id ?? ''} />;
  if (path === '/admin/users') return <UsersPage />;
  const user = match('/admin/users/:id', path);
  if (user !== null) return <UserPage key={user.id} id={user.id ?? ''} />;
  if (path === '/admin/groups') return <GroupsPage />;
  const group = match('/admin/groups/:id', path);
  if (group !== null) return <GroupPage key={group.id} id={group.id ?? ''} />;
  if (path === '/admin/administrative-units') return <AdministrativeUnitsPage />;
  const unit = match('/admin/administrative-units/:id', path);
  if (unit !== null) return <AdministrativeUnitPage key={unit.id} id={unit.id ?? ''} />;
  if (path === '/admin/audit') return <AuditPage />;
  if (path.startsWith('/admin/notifications')) {
    return <><h1>Notifications</h1><p className="notice">The notification pages are not part of this build yet.</p></>;
  }
  return <><h1>Page not found</h1><p>There is no administration page at {path}. <Link to="/admin">Go to Administration</Link>.</p></>;
}

