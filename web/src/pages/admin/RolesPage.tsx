import { useState, type FormEvent } from 'react';
import { adminApi } from '../../admin-api.ts';
import { Field } from '../../components/Field.tsx';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { Notice } from '../../components/Status.tsx';
import { usePaged } from '../../paged.ts';
import { Link } from '../../router.tsx';
import { RoleForm } from './RoleEditor.tsx';

/** /admin/roles: the role catalogue, searchable, built-in and custom roles told apart; new custom roles. */
export function RolesPage() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [version, setVersion] = useState(0);
  const list = usePaged((cursor) => adminApi.roles({ search, cursor }), `${search}:${version}`);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const submit = (e: FormEvent) => { e.preventDefault(); setSearch(text.trim()); };
  return (
    <>
      <h1>Roles</h1>
      <div className="toolbar">
        <form className="search-bar" role="search" onSubmit={submit}>
          <Field label="Search roles" hint="Words the role's name contains.">
            <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
          </Field>
          <button type="submit">Search</button>
        </form>
        <button type="button" className="secondary" aria-expanded={creating} onClick={() => { setNotice(null); setCreating(!creating); }}>{creating ? 'Close the new role form' : 'New custom role'}</button>
      </div>
      {creating && (
        <section className="card" aria-labelledby="new-role">
          <h2 id="new-role">New custom role</h2>
          <RoleForm onSaved={(r) => { setNotice(`${r.displayName} is created.`); setCreating(false); setVersion((v) => v + 1); }} />
        </section>
      )}
      {notice !== null && <Notice>{notice}</Notice>}
      <PagedStatus list={list} what="roles" empty={search === '' ? 'There are no roles.' : `No role matches “${search}”.`}>
        <table className="list">
          <caption className="sr-only">Roles</caption>
          <thead><tr><th scope="col">Role</th><th scope="col">Type</th><th scope="col">Description</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {list.items.map((r) => (
              <tr key={r.id}>
                <th scope="row" data-label="Role"><Link to={`/admin/roles/${encodeURIComponent(r.id)}`}>{r.displayName}</Link></th>
                <td data-label="Type">
                  <span className="badge">{r.isBuiltIn ? 'Built-in' : 'Custom'}</span>{r.isPrivileged && <> <span className="badge privileged">Privileged</span></>}
                </td>
                <td data-label="Description">{r.description ?? '—'}</td>
                <td data-label="Actions" className="row-actions">
                  <Link to={`/admin/roles/${encodeURIComponent(r.id)}/settings`} aria-label={`Settings of ${r.displayName}`}>Settings</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </PagedStatus>
    </>
  );
}
