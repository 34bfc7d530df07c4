import { useState, type FormEvent } from 'react';
import { adminApi } from '../../admin-api.ts';
import { messageOf } from '../../api.ts';
import { Field } from '../../components/Field.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { describeScope, formatDateTime } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import type { RoleAssignment } from '../../requests.ts';
import { Link } from '../../router.tsx';
import { DeletedNote } from './Deleted.tsx';
import { DeleteUserDialog } from './UsersPage.tsx';

function RoleList({ title, rows }: { title: string; rows: RoleAssignment[] }) {
  return (
    <>
      <h3>{title} ({rows.length})</h3>
      {rows.length === 0 ? <Empty>None.</Empty> : (
        <ul className="plain" aria-label={title}>
          {rows.map((r) => (
            <li key={r.scheduleId}>
              <Link to={`/admin/roles/${encodeURIComponent(r.roleId)}`}>{r.roleDisplayName ?? r.roleId}</Link>
              {' '}<span className="muted">— {describeScope(r.scope)}, {r.memberType === 'Group' ? `through ${r.group?.displayName ?? 'a group'}` : r.assignmentType === 'Activated' ? 'activated' : 'direct'}, {r.endAt === null ? 'permanent' : `until ${formatDateTime(r.endAt)}`}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function SetPassword({ id }: { id: string }) {
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault(); setError(null); setMessage(null);
    try { await adminApi.setPassword(id, password); setPassword(''); setMessage('Password set; the user\'s sessions have ended.'); } catch (err) { setError(messageOf(err)); }
  };
  return (
    <form className="card stack" aria-label="Set password" onSubmit={(e) => void submit(e)}>
      <h2>Set password</h2>
      <Field label="New password" hint="Give it to the user over a safe channel."><input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required /></Field>
      <ErrorMessage message={error} />
      {message !== null && <Notice>{message}</Notice>}
      <div className="actions"><button type="submit">Set password</button></div>
    </form>
  );
}

/** /admin/users/:id — a user, their roles (direct and through groups) and their groups. */
export function UserPage({ id }: { id: string }) {
  const user = useLoad(() => adminApi.user(id), id);
  const roles = useLoad(() => adminApi.rolesOfUser(id), id);
  const groups = useLoad(() => adminApi.groupsOfUser(id), id);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const u = user.data;
  const toggle = async () => {
    if (u === undefined) return;
    setError(null); setNotice(null);
    try { await adminApi.setUserEnabled(u.id, !u.enabled); await user.reload(); } catch (err) { setError(messageOf(err)); }
  };
  return (
    <>
      <p><Link to="/admin/users">← All users</Link></p>
      <ErrorMessage message={user.error} onRetry={() => void user.reload()} />
      {u === undefined && user.error === null && <Loading what="the user" />}
      {u !== undefined && (
        <>
          <h1>{u.displayName}</h1>
          {u.deletedAt !== null && (
            <DeletedNote what="user" deletedAt={u.deletedAt} restore={() => adminApi.restoreUser(u.id)}
              onRestored={() => { setNotice(`${u.displayName} is restored.`); void user.reload(); }} />
          )}
          {notice !== null && <Notice>{notice}</Notice>}
          <dl className="facts card">
            <dt>Sign-in name</dt><dd>{u.userPrincipalName}</dd>
            <dt>E-mail</dt><dd>{u.mail ?? '—'}</dd>
            <dt>Status</dt><dd>{u.enabled ? 'Enabled' : 'Disabled'}{u.deletedAt === null && <> <button type="button" className="secondary small" onClick={() => void toggle()}>{u.enabled ? 'Disable' : 'Enable'}</button></>}</dd>
            <dt>Last sign-in</dt><dd>{formatDateTime(u.lastSignInAt)}</dd>
            <dt>Created</dt><dd>{formatDateTime(u.createdAt)}</dd>
          </dl>
          <ErrorMessage message={error} />
          {u.deletedAt === null && (
            <div className="toolbar"><button type="button" className="secondary danger-text" onClick={() => { setNotice(null); setDeleting(true); }}>Delete user</button></div>
          )}
          {deleting && (
            <DeleteUserDialog user={u} onClose={() => setDeleting(false)}
              onDone={() => { setDeleting(false); setNotice(`${u.displayName} is deleted.`); void user.reload(); void roles.reload(); }} />
          )}
        </>
      )}
      <section className="card" aria-labelledby="user-roles">
        <h2 id="user-roles">Roles</h2>
        <ErrorMessage message={roles.error} onRetry={() => void roles.reload()} />
        {roles.data === undefined && roles.error === null && <Loading what="the roles" />}
        {roles.data !== undefined && (<><RoleList title="Eligible" rows={roles.data.eligible} /><RoleList title="Active" rows={roles.data.active} /><RoleList title="Expired" rows={roles.data.expired} /></>)}
      </section>
      <section className="card" aria-labelledby="user-groups">
        <h2 id="user-groups">Groups</h2>
        <ErrorMessage message={groups.error} />
        {groups.data !== undefined && (groups.data.items.length === 0 ? <Empty>Not a member of any group.</Empty> : (
          <ul className="plain">{groups.data.items.map((g) => <li key={g.id}><Link to={`/admin/groups/${encodeURIComponent(g.id)}`}>{g.displayName}</Link></li>)}</ul>
        ))}
      </section>
      {u !== undefined && u.deletedAt === null && <SetPassword id={u.id} />}
    </>
  );
}
