import { adminApi, memberPaths } from '../../admin-api.ts';
import { ErrorMessage, Loading } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { MemberList } from './MemberList.tsx';

/** /admin/groups/:id — a group (role-assignable shown locked), its members and its owners. */
export function GroupPage({ id }: { id: string }) {
  const group = useLoad(() => adminApi.group(id), id);
  const g = group.data;
  return (
    <>
      <p><Link to="/admin/groups">← All groups</Link></p>
      <ErrorMessage message={group.error} onRetry={() => void group.reload()} />
      {g === undefined && group.error === null && <Loading what="the group" />}
      {g !== undefined && (
        <>
          <h1>{g.displayName}</h1>
          <div className="card stack">
            {g.description !== null && <p>{g.description}</p>}
            <label className="check locked">
              <input type="checkbox" checked={g.roleAssignable} disabled aria-describedby="locked-hint" /> Role-assignable
            </label>
            <span id="locked-hint" className="hint">Fixed when the group was created; it cannot change.</span>
            <p className="muted">Created {formatDateTime(g.createdAt)}.</p>
          </div>
          <MemberList base={memberPaths.groupMembers(id)} title="Members" noun="member" kinds={g.roleAssignable ? ['user'] : ['user', 'group']}
            emptyText="This group has no members." />
          <MemberList base={memberPaths.groupOwners(id)} title="Owners" noun="owner" kinds={['user']} emptyText="This group has no owners." />
        </>
      )}
    </>
  );
}
