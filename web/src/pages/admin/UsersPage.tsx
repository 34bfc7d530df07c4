import { useState, type FormEvent } from 'react';
import { adminApi, type DirectoryUser } from '../../admin-api.ts';
import { messageOf } from '../../api.ts';
import { Field } from '../../components/Field.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { ErrorMessage, Notice } from '../../components/Status.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { formatDateTime } from '../../format.ts';
import { useAction } from '../../hooks.ts';
import { usePaged } from '../../paged.ts';
import { Link } from '../../router.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { DeletedList } from './Deleted.tsx';

type View = 'current' | 'deleted';
const VIEWS: Array<{ key: View; label: string }> = [{ key: 'current', label: 'Users' }, { key: 'deleted', label: 'Deleted users' }];

/** Soft-deleting a user: what happens, and the API's refusal (the last administrator) in the dialog. */
export function DeleteUserDialog({ user, onClose, onDone }: { user: DirectoryUser; onClose: () => void; onDone: () => void }) {
  return (
    <ConfirmDialog title={`Delete ${user.displayName}?`} confirm="Delete user" onConfirm={() => adminApi.deleteUser(user.id)} onClose={onClose} onDone={onDone}>
      <p>{user.displayName} can no longer sign in and their active roles end now. The user can be restored for 30 days.</p>
    </ConfirmDialog>
  );
}

function CreateUser({ onCreated }: { onCreated: (u: DirectoryUser) => void }) {
  const [upn, setUpn] = useState('');
  const [name, setName] = useState('');
  const [mail, setMail] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      onCreated(await adminApi.createUser({ userPrincipalName: upn.trim(), displayName: name.trim(), ...(mail.trim() !== '' ? { mail: mail.trim() } : {}) }));
      setUpn(''); setName(''); setMail('');
    });
  };
  return (
    <form className="card stack" aria-label="New user" onSubmit={(e) => void submit(e)}>
      <h2>New user</h2>
      <div className="grid2">
        <Field label="Sign-in name" hint="For example alice@example.com."><input value={upn} onChange={(e) => setUpn(e.target.value)} required autoComplete="off" spellCheck={false} /></Field>
        <Field label="Display name"><input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" /></Field>
        <Field label="E-mail (optional)" hint="Where notifications go; the sign-in name when empty."><input type="email" value={mail} onChange={(e) => setMail(e.target.value)} autoComplete="off" /></Field>
      </div>
      <ErrorMessage message={error} />
      <FormActions busy={busy} label="Create user" busyLabel="Creating…" />
    </form>
  );
}

/** /admin/users: search, create, enable or disable, delete; deleted users can be restored; each user's page shows their roles. */
export function UsersPage() {
  const [view, setView] = useState<View>('current');
  return (
    <>
      <h1>Users</h1>
      <Tabs label="User lists" current={view} onChange={setView} tabs={VIEWS}>
        {view === 'current' ? <CurrentUsers /> : (
          <DeletedList noun="users" load={(cursor) => adminApi.users({ deleted: true, cursor })} restore={(id) => adminApi.restoreUser(id)} href={(id) => `/admin/users/${encodeURIComponent(id)}`} />
        )}
      </Tabs>
    </>
  );
}

function CurrentUsers() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [version, setVersion] = useState(0);
  const list = usePaged((cursor) => adminApi.users({ search, cursor }), `${search}:${version}`);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<DirectoryUser | null>(null);

  const toggle = async (u: DirectoryUser) => {
    setError(null); setNotice(null);
    try {
      await adminApi.setUserEnabled(u.id, !u.enabled);
      setNotice(`${u.displayName} is ${u.enabled ? 'disabled' : 'enabled'}.`);
      setVersion((v) => v + 1);
    } catch (err) { setError(messageOf(err)); }
  };

  return (
    <>
      <div className="toolbar">
        <form className="search-bar" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(text.trim()); }}>
          <Field label="Search users" hint="The start of the name or sign-in name."><input type="search" value={text} onChange={(e) => setText(e.target.value)} /></Field>
          <button type="submit">Search</button>
        </form>
        <button type="button" className="secondary" aria-expanded={creating} onClick={() => setCreating(!creating)}>{creating ? 'Close the new user form' : 'New user'}</button>
      </div>
      {creating && <CreateUser onCreated={(u) => { setNotice(`${u.displayName} is created.`); setCreating(false); setVersion((v) => v + 1); }} />}
      {notice !== null && <Notice>{notice}</Notice>}
      <ErrorMessage message={error} />
      <PagedStatus list={list} what="users" empty={search === '' ? 'There are no users.' : `No user matches “${search}”.`}>
        <table className="list">
          <caption className="sr-only">Users</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Sign-in name</th><th scope="col">Status</th><th scope="col">Last sign-in</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {list.items.map((u) => (
              <tr key={u.id}>
                <th scope="row" data-label="Name"><Link to={`/admin/users/${encodeURIComponent(u.id)}`}>{u.displayName}</Link></th>
                <td data-label="Sign-in name">{u.userPrincipalName}</td>
                <td data-label="Status">{u.enabled ? <span className="badge active">Enabled</span> : <span className="badge">Disabled</span>}</td>
                <td data-label="Last sign-in">{formatDateTime(u.lastSignInAt)}</td>
                <td data-label="Actions" className="row-actions">
                  <button type="button" className="secondary small" aria-label={`${u.enabled ? 'Disable' : 'Enable'} ${u.displayName}`} onClick={() => void toggle(u)}>{u.enabled ? 'Disable' : 'Enable'}</button>
                  <button type="button" className="secondary danger-text small" aria-label={`Delete ${u.displayName}`} onClick={() => { setNotice(null); setError(null); setDeleting(u); }}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </PagedStatus>
      {deleting !== null && (
        <DeleteUserDialog user={deleting} onClose={() => setDeleting(null)}
          onDone={() => { setNotice(`${deleting.displayName} is deleted; restore them from Deleted users within 30 days.`); setDeleting(null); setVersion((v) => v + 1); }} />
      )}
    </>
  );
}
