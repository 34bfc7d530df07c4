import { Field } from '../../../components/Field.tsx';
import { isoDays, type AssignmentKindRules, type RolePolicy } from '../../../policy.ts';

type Assignment = RolePolicy['assignment'];
/** The periods Entra's portal offers (PIM-REFERENCE §2.2); another saved value is kept as an option. */
const PERIODS: Array<[number, string]> = [[15, '15 days'], [30, '1 month'], [90, '3 months'], [180, '6 months'], [365, '1 year']];

function Expiry({ kind, rules, onChange }: { kind: 'eligible' | 'active'; rules: AssignmentKindRules; onChange: (r: AssignmentKindRules) => void }) {
  const days = isoDays(rules.maximumDuration);
  const options = PERIODS.some(([d]) => d === days) ? PERIODS : [...PERIODS, [days, `${days} days`] as [number, string]].sort((a, b) => a[0] - b[0]);
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={rules.permanentAllowed} onChange={(e) => onChange({ ...rules, permanentAllowed: e.target.checked })} /> Allow permanent {kind} assignment
      </label>
      <Field label={`Expire ${kind} assignments after`} hint={rules.permanentAllowed ? 'Applies once permanent assignments are not allowed.' : 'Every assignment must end within this period.'}>
        <select value={days} disabled={rules.permanentAllowed} onChange={(e) => onChange({ ...rules, maximumDuration: `P${e.target.value}D` })}>
          {options.map(([d, label]) => <option key={d} value={d}>{label}</option>)}
        </select>
      </Field>
    </>
  );
}

/** PIM-REFERENCE §2.2, rules 5–7; rule 8 (not in Entra's portal) at the end. */
export function AssignmentTab({ value, onChange }: { value: Assignment; onChange: (a: Assignment) => void }) {
  const set = (kind: 'eligible' | 'active', r: AssignmentKindRules) => onChange({ ...value, [kind]: r });
  const { eligible, active } = value;
  return (
    <div className="stack">
      <fieldset className="stack">
        <legend>Eligible assignments</legend>
        <Expiry kind="eligible" rules={eligible} onChange={(r) => set('eligible', r)} />
      </fieldset>
      <fieldset className="stack">
        <legend>Active assignments</legend>
        <Expiry kind="active" rules={active} onChange={(r) => set('active', r)} />
        <label className="check"><input type="checkbox" checked={active.requireMfa} onChange={(e) => set('active', { ...active, requireMfa: e.target.checked })} /> Require multi-factor authentication on active assignment</label>
        <label className="check"><input type="checkbox" checked={active.requireJustification} onChange={(e) => set('active', { ...active, requireJustification: e.target.checked })} /> Require justification on active assignment</label>
      </fieldset>
      <fieldset className="stack">
        <legend>Beyond Entra: when an administrator makes someone eligible</legend>
        <label className="check"><input type="checkbox" checked={eligible.requireMfa} onChange={(e) => set('eligible', { ...eligible, requireMfa: e.target.checked })} /> Require multi-factor authentication on eligible assignment</label>
        <label className="check"><input type="checkbox" checked={eligible.requireJustification} onChange={(e) => set('eligible', { ...eligible, requireJustification: e.target.checked })} /> Require justification on eligible assignment</label>
      </fieldset>
    </div>
  );
}
