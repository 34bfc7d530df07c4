import { useState, type FormEvent } from 'react';
import { adminApi, memberPaths, type AdministrativeUnit } from '../../admin-api.ts';
import { messageOf } from '../../api.ts';
import { Field } from '../../components/Field.tsx';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { useLoad } from '../../hooks.ts';
import { usePaged } from '../../paged.ts';
import { Link } from '../../router.tsx';
import { MemberList } from './MemberList.tsx';

function CreateUnit({ onCreated }: { onCreated: (u: AdministrativeUnit) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault(); setError(null);
    try { onCreated(await adminApi.createUnit({ displayName: name.trim(), ...(description.trim() !== '' ? { description: description.trim() } : {}) })); setName(''); setDescription(''); } catch (err) { setError(messageOf(err)); }
  };
  return (
    <form className="card stack" aria-label="New administrative unit" onSubmit={(e) => void submit(e)}>
      <h2>New administrative unit</h2>
      <div className="grid2">
        <Field label="Unit name"><input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" /></Field>
        <Field label="Description (optional)"><input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" /></Field>
      </div>
      <ErrorMessage message={error} />
      <div className="actions"><button type="submit">Create administrative unit</button></div>
    </form>
  );
}

/** /admin/administrative-units: the scopes roles can be assigned at below the directory. */
export function AdministrativeUnitsPage() {
  const [version, setVersion] = useState(0);
  const list = usePaged((cursor) => adminApi.units({ cursor }), String(version));
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <h1>Administrative units</h1>
      <CreateUnit onCreated={(u) => { setNotice(`${u.displayName} is created; assign roles at ${u.scope}.`); setVersion((v) => v + 1); }} />
      {notice !== null && <Notice>{notice}</Notice>}
      <PagedStatus list={list} what="administrative units" empty="There are no administrative units.">
        <table className="list">
          <caption className="sr-only">Administrative units</caption>
          <thead><tr><th scope="col">Unit</th><th scope="col">Scope</th><th scope="col">Description</th></tr></thead>
          <tbody>
            {list.items.map((u) => (
              <tr key={u.id}>
                <th scope="row" data-label="Unit"><Link to={`/admin/administrative-units/${encodeURIComponent(u.id)}`}>{u.displayName}</Link></th>
                <td data-label="Scope"><code>{u.scope}</code></td>
                <td data-label="Description">{u.description ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </PagedStatus>
    </>
  );
}

/** /admin/administrative-units/:id — one unit and its members. */
export function AdministrativeUnitPage({ id }: { id: string }) {
  const unit = useLoad(() => adminApi.unit(id), id);
  const u = unit.data;
  return (
    <>
      <p><Link to="/admin/administrative-units">← All administrative units</Link></p>
      <ErrorMessage message={unit.error} onRetry={() => void unit.reload()} />
      {u === undefined && unit.error === null && <Loading what="the administrative unit" />}
      {u !== undefined && (
        <>
          <h1>{u.displayName}</h1>
          <p>{u.description ?? ''} <span className="muted">Scope for assignments: <code>{u.scope}</code></span></p>
          <MemberList base={memberPaths.unitMembers(id)} title="Members" noun="member" kinds={['user', 'group']} emptyText="This administrative unit has no members." />
        </>
      )}
    </>
  );
}
