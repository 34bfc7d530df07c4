import { useState, type FormEvent } from 'react';
import { adminApi, memberPaths, type AdministrativeUnit } from '../../admin-api.ts';
import { messageOf } from '../../api.ts';
import { Field } from '../../components/Field.tsx';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { useLoad } from '../../hooks.ts';
import { usePaged } from '../../paged.ts';
import { Link } from '../../router.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { DeletedList, DeletedNote } from './Deleted.tsx';
import { DetailsDialog } from './DetailsDialog.tsx';
import { MemberList } from './MemberList.tsx';

type View = 'current' | 'deleted';
const VIEWS: Array<{ key: View; label: string }> = [{ key: 'current', label: 'Administrative units' }, { key: 'deleted', label: 'Deleted administrative units' }];
const unitPath = (id: string) => `/admin/administrative-units/${encodeURIComponent(id)}`;

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

/** /admin/administrative-units: the scopes roles can be assigned at below the directory; deleted ones can be restored. */
export function AdministrativeUnitsPage() {
  const [view, setView] = useState<View>('current');
  return (
    <>
      <h1>Administrative units</h1>
      <Tabs label="Administrative unit lists" current={view} onChange={setView} tabs={VIEWS}>
        {view === 'current' ? <CurrentUnits /> : (
          <DeletedList noun="administrative units" load={(cursor) => adminApi.units({ deleted: true, cursor })} restore={(id) => adminApi.restoreUnit(id)} href={unitPath} />
        )}
      </Tabs>
    </>
  );
}

function CurrentUnits() {
  const [version, setVersion] = useState(0);
  const list = usePaged((cursor) => adminApi.units({ cursor }), String(version));
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <CreateUnit onCreated={(u) => { setNotice(`${u.displayName} is created; assign roles at ${u.scope}.`); setVersion((v) => v + 1); }} />
      {notice !== null && <Notice>{notice}</Notice>}
      <PagedStatus list={list} what="administrative units" empty="There are no administrative units.">
        <table className="list">
          <caption className="sr-only">Administrative units</caption>
          <thead><tr><th scope="col">Unit</th><th scope="col">Scope</th><th scope="col">Description</th></tr></thead>
          <tbody>
            {list.items.map((u) => (
              <tr key={u.id}>
                <th scope="row" data-label="Unit"><Link to={unitPath(u.id)}>{u.displayName}</Link></th>
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

/** /admin/administrative-units/:id — one unit and its members; rename, delete, restore. */
export function AdministrativeUnitPage({ id }: { id: string }) {
  const unit = useLoad(() => adminApi.unit(id), id);
  const [dialog, setDialog] = useState<'edit' | 'delete' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const u = unit.data;
  const open = (d: 'edit' | 'delete') => { setNotice(null); setDialog(d); };
  const done = (message: string) => { setDialog(null); setNotice(message); void unit.reload(); };
  return (
    <>
      <p><Link to="/admin/administrative-units">← All administrative units</Link></p>
      <ErrorMessage message={unit.error} onRetry={() => void unit.reload()} />
      {u === undefined && unit.error === null && <Loading what="the administrative unit" />}
      {u !== undefined && (
        <>
          <h1>{u.displayName}</h1>
          {u.deletedAt !== null && <DeletedNote what="administrative unit" deletedAt={u.deletedAt} restore={() => adminApi.restoreUnit(id)} onRestored={() => done(`${u.displayName} is restored.`)} />}
          {notice !== null && <Notice>{notice}</Notice>}
          <p>{u.description ?? ''} <span className="muted">Scope for assignments: <code>{u.scope}</code></span></p>
          {u.deletedAt === null && (
            <div className="toolbar">
              <button type="button" className="secondary" onClick={() => open('edit')}>Edit name and description</button>
              <button type="button" className="secondary danger-text" onClick={() => open('delete')}>Delete administrative unit</button>
            </div>
          )}
          {dialog === 'edit' && (
            <DetailsDialog title={`Edit ${u.displayName}`} nameLabel="Unit name" initial={{ displayName: u.displayName, description: u.description }}
              onSave={(d) => adminApi.updateUnit(id, d)} onClose={() => setDialog(null)} onSaved={(d) => done(`${d.displayName} is saved.`)} />
          )}
          {dialog === 'delete' && (
            <ConfirmDialog title={`Delete ${u.displayName}?`} confirm="Delete administrative unit" onConfirm={() => adminApi.deleteUnit(id)} onClose={() => setDialog(null)}
              onDone={() => done(`${u.displayName} is deleted; it can be restored for 30 days.`)}>
              <p>It is no longer offered as a scope. Its members are kept, so a restore within 30 days brings it back whole.</p>
            </ConfirmDialog>
          )}
          {u.deletedAt === null && <MemberList base={memberPaths.unitMembers(id)} title="Members" noun="member" kinds={['user', 'group']} emptyText="This administrative unit has no members." />}
        </>
      )}
    </>
  );
}
