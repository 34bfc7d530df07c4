import { useState } from 'react';
import { adminApi, type AssignmentTab } from '../../admin-api.ts';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { useLoad } from '../../hooks.ts';
import { usePaged } from '../../paged.ts';
import type { RoleAssignment } from '../../requests.ts';
import { Link, navigate } from '../../router.tsx';
import { AddAssignmentsWizard } from './AddAssignmentsWizard.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { EditRoleDialog } from './RoleEditor.tsx';
import { AssignmentTable } from './AssignmentTable.tsx';
import { ChangeAssignmentDialog, type ChangeAction } from './ChangeAssignmentDialog.tsx';

const TABS: Array<{ key: AssignmentTab; label: string }> = [
  { key: 'eligible', label: 'Eligible assignments' }, { key: 'active', label: 'Active assignments' }, { key: 'expired', label: 'Expired assignments' },
];
const EMPTY: Record<AssignmentTab, string> = {
  eligible: 'Nobody is eligible for this role.', active: 'Nobody holds this role.', expired: 'No assignment of this role expired in the last 30 days.',
};

/** /admin/roles/:id — a role's Eligible / Active / Expired assignments, Add assignments, and its settings. */
export function RolePage({ id }: { id: string }) {
  const role = useLoad(() => adminApi.role(id), id);
  const [tab, setTab] = useState<AssignmentTab>('eligible');
  const [version, setVersion] = useState(0);
  const list = usePaged((cursor) => adminApi.assignments(id, tab, { cursor }), `${id}:${tab}:${version}`);
  const [wizard, setWizard] = useState(false);
  const [change, setChange] = useState<{ row: RoleAssignment; action: ChangeAction } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [edit, setEdit] = useState<'edit' | 'delete' | null>(null);
  const r = role.data;
  const name = r?.displayName ?? id;

  return (
    <>
      <p><Link to="/admin/roles">← All roles</Link></p>
      <ErrorMessage message={role.error} onRetry={() => void role.reload()} />
      {r === undefined && role.error === null && <Loading what="the role" />}
      {r !== undefined && (
        <>
          <h1>{r.displayName}</h1>
          <p>
            <span className="badge">{r.isBuiltIn ? 'Built-in role' : 'Custom role'}</span>{r.isPrivileged && <> <span className="badge privileged">Privileged</span></>}
            {r.description !== null && <> {r.description}</>}
          </p>
          {r.isBuiltIn ? <p className="muted">Built-in roles are read-only: their name, description and permissions cannot change.</p> : (
            <section className="card" aria-labelledby="role-permissions">
              <h2 id="role-permissions">Permissions</h2>
              {r.permissions.length === 0 ? <p className="empty">This role grants no actions.</p> : (
                <ul className="plain role-permission-list" aria-label="Permissions">{r.permissions.map((p) => <li key={p}><code>{p}</code></li>)}</ul>
              )}
            </section>
          )}
          <div className="toolbar">
            <button type="button" onClick={() => { setNotice(null); setWizard(true); }}>Add assignments</button>
            <Link className="button secondary" to={`/admin/roles/${encodeURIComponent(id)}/settings`}>Role settings</Link>
            {!r.isBuiltIn && (
              <>
                <button type="button" className="secondary" onClick={() => { setNotice(null); setEdit('edit'); }}>Edit role</button>
                <button type="button" className="secondary danger-text" onClick={() => { setNotice(null); setEdit('delete'); }}>Delete role</button>
              </>
            )}
          </div>
          {edit === 'edit' && <EditRoleDialog role={r} onClose={() => setEdit(null)} onSaved={(saved) => { setEdit(null); setNotice(`${saved.displayName}: role saved.`); void role.reload(); }} />}
          {edit === 'delete' && (
            <ConfirmDialog title={`Delete ${r.displayName}?`} confirm="Delete role" onConfirm={() => adminApi.deleteRole(id)} onClose={() => setEdit(null)}
              onDone={() => navigate('/admin/roles')}>
              <p>A custom role can be deleted only while nothing holds it: remove its eligible and active assignments first. Its history stays in the audit log.</p>
            </ConfirmDialog>
          )}
        </>
      )}
      {notice !== null && <Notice>{notice}</Notice>}
      <Tabs label="Assignments" current={tab} onChange={setTab} tabs={TABS}>
        <PagedStatus list={list} what="assignments" empty={EMPTY[tab]}>
          <AssignmentTable tab={tab} rows={list.items} onAction={(row, action) => { setNotice(null); setChange({ row, action }); }} />
        </PagedStatus>
      </Tabs>
      {wizard && <AddAssignmentsWizard roleId={id} roleName={name} onClose={() => setWizard(false)} onDone={() => setVersion((v) => v + 1)} />}
      {change !== null && (
        <ChangeAssignmentDialog row={change.row} action={change.action} onClose={() => setChange(null)}
          onDone={(m) => { setChange(null); setNotice(m); setVersion((v) => v + 1); }} />
      )}
    </>
  );
}
