import { useState } from 'react';
import { adminApi, type AssignmentTab } from '../../admin-api.ts';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { useLoad } from '../../hooks.ts';
import { usePaged } from '../../paged.ts';
import type { RoleAssignment } from '../../requests.ts';
import { Link } from '../../router.tsx';
import { AddAssignmentsWizard } from './AddAssignmentsWizard.tsx';
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
          <div className="toolbar">
            <button type="button" onClick={() => { setNotice(null); setWizard(true); }}>Add assignments</button>
            <Link className="button secondary" to={`/admin/roles/${encodeURIComponent(id)}/settings`}>Role settings</Link>
          </div>
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
