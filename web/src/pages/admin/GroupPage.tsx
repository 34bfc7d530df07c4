import { useState } from 'react';
import { adminApi, memberPaths } from '../../admin-api.ts';
import { ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { DeletedNote } from './Deleted.tsx';
import { DetailsDialog } from './DetailsDialog.tsx';
import { MemberList } from './MemberList.tsx';

/** /admin/groups/:id — a group (role-assignable shown locked), its members and owners; rename, delete, restore. */
export function GroupPage({ id }: { id: string }) {
  const group = useLoad(() => adminApi.group(id), id);
  const [dialog, setDialog] = useState<'edit' | 'delete' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const g = group.data;
  const open = (d: 'edit' | 'delete') => { setNotice(null); setDialog(d); };
  const done = (message: string) => { setDialog(null); setNotice(message); void group.reload(); };
  return (
    <>
      <p><Link to="/admin/groups">← All groups</Link></p>
      <ErrorMessage message={group.error} onRetry={() => void group.reload()} />
      {g === undefined && group.error === null && <Loading what="the group" />}
      {g !== undefined && (
        <>
          <h1>{g.displayName}</h1>
          {g.deletedAt !== null && <DeletedNote what="group" deletedAt={g.deletedAt} restore={() => adminApi.restoreGroup(id)} onRestored={() => done(`${g.displayName} is restored.`)} />}
          {notice !== null && <Notice>{notice}</Notice>}
          {g.deletedAt === null && (
            <div className="toolbar">
              <button type="button" className="secondary" onClick={() => open('edit')}>Edit name and description</button>
              <button type="button" className="secondary danger-text" onClick={() => open('delete')}>Delete group</button>
            </div>
          )}
          <div className="card stack">
            {g.description !== null && <p>{g.description}</p>}
            <label className="check locked">
              <input type="checkbox" checked={g.roleAssignable} disabled aria-describedby="locked-hint" /> Role-assignable
            </label>
            <span id="locked-hint" className="hint">Fixed when the group was created; it cannot change.</span>
            <p className="muted">Created {formatDateTime(g.createdAt)}.</p>
          </div>
          {dialog === 'edit' && (
            <DetailsDialog title={`Edit ${g.displayName}`} nameLabel="Group name" initial={{ displayName: g.displayName, description: g.description }}
              onSave={(d) => adminApi.updateGroup(id, d)} onClose={() => setDialog(null)} onSaved={(d) => done(`${d.displayName} is saved.`)} />
          )}
          {dialog === 'delete' && (
            <ConfirmDialog title={`Delete ${g.displayName}?`} confirm="Delete group" onConfirm={() => adminApi.deleteGroup(id)} onClose={() => setDialog(null)}
              onDone={() => done(`${g.displayName} is deleted; it can be restored for 30 days.`)}>
              <p>Its members lose what the group gives them{g.roleAssignable ? ', including the roles assigned to it' : ''}; roles they activated through it end now. The group can be restored for 30 days.</p>
            </ConfirmDialog>
          )}
          {g.deletedAt === null && (
            <>
              <MemberList base={memberPaths.groupMembers(id)} title="Members" noun="member" kinds={g.roleAssignable ? ['user'] : ['user', 'group']}
                emptyText="This group has no members." />
              <MemberList base={memberPaths.groupOwners(id)} title="Owners" noun="owner" kinds={['user']} emptyText="This group has no owners." />
            </>
          )}
        </>
      )}
    </>
  );
}
