import { formatDateTime, describeScope } from '../../format.ts';
import type { RoleAssignment } from '../../requests.ts';
import type { AssignmentTab } from '../../admin-api.ts';
import { principalOf, type ChangeAction } from './ChangeAssignmentDialog.tsx';

const TYPE_LABEL: Record<string, string> = { user: 'User', group: 'Group', servicePrincipal: 'Service principal' };

function membership(r: RoleAssignment): string {
  if (r.assignmentType === 'Activated') return 'Activated';
  return r.memberType === 'Group' ? `Group: ${r.group?.displayName ?? 'a group'}` : r.memberType;
}

/** Which changes the API allows on a row (it decides; this only offers the sensible ones). */
function actionsFor(tab: AssignmentTab, r: RoleAssignment): ChangeAction[] {
  if (tab === 'expired') return r.assignmentType === 'Assigned' ? ['adminRenew'] : [];
  if (r.assignmentType === 'Activated') return ['adminRemove'];
  return r.endAt === null ? ['adminUpdate', 'adminRemove'] : ['adminUpdate', 'adminExtend', 'adminRemove'];
}
const LABEL: Record<ChangeAction, string> = { adminUpdate: 'Update', adminExtend: 'Extend', adminRenew: 'Renew', adminRemove: 'Remove' };

export function AssignmentTable({ tab, rows, onAction }: { tab: AssignmentTab; rows: RoleAssignment[]; onAction: (row: RoleAssignment, a: ChangeAction) => void }) {
  return (
    <table className="list">
      <caption className="sr-only">{tab === 'eligible' ? 'Eligible assignments' : tab === 'active' ? 'Active assignments' : 'Expired assignments'}</caption>
      <thead>
        <tr><th scope="col">Principal</th><th scope="col">Type</th><th scope="col">Scope</th><th scope="col">Membership</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Actions</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.scheduleId}>
            <th scope="row" data-label="Principal">{principalOf(r)}</th>
            <td data-label="Type">{TYPE_LABEL[r.principalType] ?? r.principalType}</td>
            <td data-label="Scope">{describeScope(r.scope)}</td>
            <td data-label="Membership">{membership(r)}</td>
            <td data-label="Start">{formatDateTime(r.startAt)}</td>
            <td data-label="End">{r.endAt === null ? 'Permanent' : formatDateTime(r.endedAt ?? r.endAt)}</td>
            <td data-label="Actions" className="row-actions">
              {actionsFor(tab, r).map((a) => (
                <button key={a} type="button" className={a === 'adminRemove' ? 'secondary danger-text small' : 'secondary small'} aria-label={`${LABEL[a]} ${principalOf(r)}`} onClick={() => onAction(r, a)}>{LABEL[a]}</button>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
