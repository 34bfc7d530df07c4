import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { ScheduleFields, scheduleInput, type ScheduleChoice } from '../../components/ScheduleFields.tsx';
import { ErrorMessage } from '../../components/Status.tsx';
import { describeScope, formatDateTime, isoToLocalInput } from '../../format.ts';
import { useAction } from '../../hooks.ts';
import { submitRequest, type RoleAssignment } from '../../requests.ts';
import { explain } from './wizard-errors.ts';

export type ChangeAction = 'adminUpdate' | 'adminExtend' | 'adminRenew' | 'adminRemove';

const TITLE: Record<ChangeAction, string> = { adminUpdate: 'Update', adminExtend: 'Extend', adminRenew: 'Renew', adminRemove: 'Remove' };
const HELP: Record<ChangeAction, string> = {
  adminUpdate: 'Change when this assignment ends (and its start, if it has not started).',
  adminExtend: 'Move the end of this assignment later.',
  adminRenew: 'Give this expired assignment a new window.',
  adminRemove: 'End this assignment now. It stays in the history; an assignment cannot be removed within 5 minutes of being created.',
};

export const principalOf = (r: RoleAssignment) => r.principalDisplayName ?? r.principalId;

/** Update, extend, renew or remove one assignment: a request to the API, whose message is shown as is. */
export function ChangeAssignmentDialog({ row, action, onClose, onDone }: { row: RoleAssignment; action: ChangeAction; onClose: () => void; onDone: (message: string) => void }) {
  // An assignment that has not started can move its start too; it opens with its current window (the API decides).
  const [future] = useState(() => action === 'adminUpdate' && Date.parse(row.startAt) > Date.now());
  const [choice, setChoice] = useState<ScheduleChoice>(future
    ? { mode: row.endAt === null ? 'permanent' : 'until', days: '30', until: row.endAt === null ? '' : isoToLocalInput(row.endAt), start: isoToLocalInput(row.startAt) }
    : { mode: row.endAt === null ? 'permanent' : 'days', days: '30', until: '', start: '' });
  const withStart = action === 'adminRenew' || future;
  const [kind, setKind] = useState(row.kind);
  const [justification, setJustification] = useState('');
  const { busy, error, run } = useAction(explain);
  const who = principalOf(row);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await submitRequest({
        action, kind: action === 'adminRenew' ? kind : row.kind, principalId: row.principalId, roleId: row.roleId, scope: row.scope, targetScheduleId: row.scheduleId,
        ...(action !== 'adminRemove' ? { schedule: scheduleInput(choice, withStart) } : {}),
        ...(justification.trim() !== '' ? { justification: justification.trim() } : {}),
      });
      onDone(`${who}: ${action === 'adminRemove' ? 'assignment removed' : action === 'adminRenew' ? 'assignment renewed' : action === 'adminExtend' ? 'assignment extended' : 'assignment updated'}.`);
    });
  };

  return (
    <Dialog title={`${TITLE[action]} assignment of ${who}`} onClose={onClose}>
      <form className="stack" noValidate onSubmit={(e) => void submit(e)}>
        <p>{HELP[action]} <span className="muted">Scope: {describeScope(row.scope)}.</span></p>
        {future && <p className="muted">This assignment starts on {formatDateTime(row.startAt)}: its start can still change.</p>}
        {action === 'adminRenew' && (
          <label>Assignment type
            <select value={kind} onChange={(e) => setKind(e.target.value === 'active' ? 'active' : 'eligible')}>
              <option value="eligible">Eligible</option><option value="active">Active</option>
            </select>
          </label>
        )}
        {action !== 'adminRemove' && <ScheduleFields value={choice} onChange={setChoice} withStart={withStart} />}
        <label>Justification
          <textarea value={justification} onChange={(e) => setJustification(e.target.value)} maxLength={500} rows={2} />
        </label>
        <ErrorMessage message={error} />
        <FormActions busy={busy} label={TITLE[action]} className={action === 'adminRemove' ? 'danger' : ''} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
