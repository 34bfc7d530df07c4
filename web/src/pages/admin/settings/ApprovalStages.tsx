import { PrincipalPicker } from '../../../components/PrincipalPicker.tsx';
import type { ApprovalStage, ApproverRef } from '../../../policy.ts';
import { rememberName, useApproverNames } from './approver-names.ts';

/** A list of approvers (users and groups) with a picker to add more. */
function ApproverList({ refs, onChange, label }: { refs: ApproverRef[]; onChange: (refs: ApproverRef[]) => void; label: string }) {
  const names = useApproverNames(refs);
  return (
    <div className="stack">
      <ul className="plain" aria-label={label}>
        {refs.length === 0 && <li className="muted">No approver chosen.</li>}
        {refs.map((r) => (
          <li key={`${r.type}:${r.id}`} className="chosen">
            <span>{names[r.id] ?? r.id}</span>
            <button type="button" className="link" aria-label={`Remove approver ${names[r.id] ?? r.id}`} onClick={() => onChange(refs.filter((x) => x.id !== r.id))}>Remove</button>
          </li>
        ))}
      </ul>
      <PrincipalPicker label={`Search ${label.toLowerCase()}`} kinds={['user', 'group']} exclude={new Set(refs.map((r) => r.id))}
        onPick={(p) => { rememberName({ type: p.type, id: p.id }, p.type === 'group' ? `${p.displayName} (group)` : `${p.displayName} (${p.detail})`); onChange([...refs, { type: p.type, id: p.id }]); }} />
    </div>
  );
}

const newStage = (): ApprovalStage => ({ approvers: [], requiredApprovals: 1, escalation: null });

/** Approval stages (up to 3): approvers, how many must approve, and an optional escalation. */
export function ApprovalStages({ stages, onChange }: { stages: ApprovalStage[]; onChange: (s: ApprovalStage[]) => void }) {
  const list = stages.length === 0 ? [newStage()] : stages;
  const set = (i: number, s: ApprovalStage) => onChange(list.map((x, j) => (j === i ? s : x)));
  const num = (v: string) => (v.trim() === '' ? 0 : Number(v));
  return (
    <div className="stack">
      {list.map((s, i) => {
        const title = list.length > 1 ? `Stage ${i + 1} approvers` : 'Approvers';
        return (
          <fieldset key={i} className="stage">
            <legend>{list.length > 1 ? `Approval stage ${i + 1}` : 'Approval'}</legend>
            <ApproverList label={title} refs={s.approvers} onChange={(approvers) => set(i, { ...s, approvers })} />
            <label>Approvals needed to complete {list.length > 1 ? `stage ${i + 1}` : 'the approval'}
              <input type="number" inputMode="numeric" value={s.requiredApprovals} onChange={(e) => set(i, { ...s, requiredApprovals: num(e.target.value) })} />
            </label>
            <label className="check">
              <input type="checkbox" checked={s.escalation !== null} onChange={(e) => set(i, { ...s, escalation: e.target.checked ? { afterMinutes: 240, approvers: [] } : null })} />
              Escalate when nobody decides in time
            </label>
            {s.escalation !== null && (
              <div className="stack indent">
                <label>Escalate after (minutes, 5–1440)
                  <input type="number" inputMode="numeric" value={s.escalation.afterMinutes}
                    onChange={(e) => set(i, { ...s, escalation: { afterMinutes: num(e.target.value), approvers: s.escalation?.approvers ?? [] } })} />
                </label>
                <ApproverList label={`Escalation approvers${list.length > 1 ? ` of stage ${i + 1}` : ''}`} refs={s.escalation.approvers}
                  onChange={(approvers) => set(i, { ...s, escalation: { afterMinutes: s.escalation?.afterMinutes ?? 240, approvers } })} />
              </div>
            )}
            {list.length > 1 && <button type="button" className="link" onClick={() => onChange(list.filter((_, j) => j !== i))}>Remove stage {i + 1}</button>}
          </fieldset>
        );
      })}
      {list.length < 3 && <button type="button" className="secondary" onClick={() => onChange([...list, newStage()])}>Add an approval stage</button>}
    </div>
  );
}
