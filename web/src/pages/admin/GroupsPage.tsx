import { useState, type FormEvent } from 'react';
import { adminApi, type Group } from '../../admin-api.ts';
import { Field } from '../../components/Field.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { ErrorMessage, Notice } from '../../components/Status.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { useAction } from '../../hooks.ts';
import { usePaged } from '../../paged.ts';
import { Link } from '../../router.tsx';
import { DeletedList } from './Deleted.tsx';

type View = 'current' | 'deleted';
const VIEWS: Array<{ key: View; label: string }> = [{ key: 'current', label: 'Groups' }, { key: 'deleted', label: 'Deleted groups' }];

function CreateGroup({ onCreated }: { onCreated: (g: Group) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [roleAssignable, setRoleAssignable] = useState(false);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      onCreated(await adminApi.createGroup({ displayName: name.trim(), roleAssignable, ...(description.trim() !== '' ? { description: description.trim() } : {}) }));
      setName(''); setDescription(''); setRoleAssignable(false);
    });
  };
  return (
    <form className="card stack" aria-label="New group" onSubmit={(e) => void submit(e)}>
      <h2>New group</h2>
      <div className="grid2">
        <Field label="Group name"><input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" /></Field>
        <Field label="Description (optional)"><input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" /></Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={roleAssignable} onChange={(e) => setRoleAssignable(e.target.checked)} aria-describedby="role-assignable-hint" />
        Role-assignable: roles can be assigned to this group
      </label>
      <span id="role-assignable-hint" className="hint">Chosen now and fixed for good: a group never becomes role-assignable later, nor stops being one. Needs Privileged Role Administrator.</span>
      <ErrorMessage message={error} />
      <FormActions busy={busy} label="Create group" busyLabel="Creating…" />
    </form>
  );
}

/** /admin/groups: search and create groups, restore deleted ones; each group's page handles members, owners, renaming and deletion. */
export function GroupsPage() {
  const [view, setView] = useState<View>('current');
  return (
    <>
      <h1>Groups</h1>
      <Tabs label="Group lists" current={view} onChange={setView} tabs={VIEWS}>
        {view === 'current' ? <CurrentGroups /> : (
          <DeletedList noun="groups" load={(cursor) => adminApi.groups({ deleted: true, cursor })} restore={(id) => adminApi.restoreGroup(id)} href={(id) => `/admin/groups/${encodeURIComponent(id)}`} />
        )}
      </Tabs>
    </>
  );
}

function CurrentGroups() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [version, setVersion] = useState(0);
  const list = usePaged((cursor) => adminApi.groups({ search, cursor }), `${search}:${version}`);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <div className="toolbar">
        <form className="search-bar" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(text.trim()); }}>
          <Field label="Search groups"><input type="search" value={text} onChange={(e) => setText(e.target.value)} /></Field>
          <button type="submit">Search</button>
        </form>
        <button type="button" className="secondary" aria-expanded={creating} onClick={() => setCreating(!creating)}>{creating ? 'Close the new group form' : 'New group'}</button>
      </div>
      {creating && <CreateGroup onCreated={(g) => { setNotice(`${g.displayName} is created${g.roleAssignable ? ' (role-assignable)' : ''}.`); setCreating(false); setVersion((v) => v + 1); }} />}
      {notice !== null && <Notice>{notice}</Notice>}
      <PagedStatus list={list} what="groups" empty={search === '' ? 'There are no groups.' : `No group matches “${search}”.`}>
        <table className="list">
          <caption className="sr-only">Groups</caption>
          <thead><tr><th scope="col">Group</th><th scope="col">Role-assignable</th><th scope="col">Description</th></tr></thead>
          <tbody>
            {list.items.map((g) => (
              <tr key={g.id}>
                <th scope="row" data-label="Group"><Link to={`/admin/groups/${encodeURIComponent(g.id)}`}>{g.displayName}</Link></th>
                <td data-label="Role-assignable">{g.roleAssignable ? 'Yes' : 'No'}</td>
                <td data-label="Description">{g.description ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </PagedStatus>
    </>
  );
}
