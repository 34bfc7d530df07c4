import { Field } from '../../../components/Field.tsx';
import { hoursIso, isoHours, type RolePolicy } from '../../../policy.ts';
import { ApprovalStages } from './ApprovalStages.tsx';

type Activation = RolePolicy['activation'];
type Requirement = 'none' | 'mfa' | 'context';

function requirementOf(a: Activation): Requirement {
  if (a.authenticationContext.enabled) return 'context';
  return a.requireMfa ? 'mfa' : 'none';
}

/** PIM-REFERENCE §2.1, rules 1–4, then what openpim adds. */
export function ActivationTab({ value, onChange }: { value: Activation; onChange: (a: Activation) => void }) {
  const set = (patch: Partial<Activation>) => onChange({ ...value, ...patch });
  const req = requirementOf(value);
  const setReq = (r: Requirement) => set({
    requireMfa: r === 'mfa',
    authenticationContext: { enabled: r === 'context', claimValue: r === 'context' ? value.authenticationContext.claimValue ?? '' : value.authenticationContext.claimValue },
  });
  return (
    <div className="stack">
      <Field label="Activation maximum duration (hours)" hint="From half an hour to 24 hours; for example 1.5 is 1 hour 30 minutes.">
        <input type="number" inputMode="decimal" step="0.5" value={isoHours(value.maximumDuration)} onChange={(e) => set({ maximumDuration: hoursIso(Number(e.target.value)) })} />
      </Field>
      <fieldset className="stack">
        <legend>On activation, require</legend>
        <label className="check"><input type="radio" name="activation-requirement" checked={req === 'none'} onChange={() => setReq('none')} /> None</label>
        <label className="check"><input type="radio" name="activation-requirement" checked={req === 'mfa'} onChange={() => setReq('mfa')} /> Multi-factor authentication</label>
        <label className="check"><input type="radio" name="activation-requirement" checked={req === 'context'} onChange={() => setReq('context')} /> Authentication context (MFA with a claim)</label>
        {req === 'context' && (
          <Field label="Authentication context claim" hint="The claim the sign-in must carry, such as c1.">
            <input value={value.authenticationContext.claimValue ?? ''} maxLength={64} onChange={(e) => set({ authenticationContext: { enabled: true, claimValue: e.target.value } })} />
          </Field>
        )}
      </fieldset>
      <label className="check"><input type="checkbox" checked={value.requireJustification} onChange={(e) => set({ requireJustification: e.target.checked })} /> Require justification on activation</label>
      <label className="check"><input type="checkbox" checked={value.requireTicket} onChange={(e) => set({ requireTicket: e.target.checked })} /> Require ticket information on activation</label>
      <label className="check"><input type="checkbox" checked={value.requireApproval} onChange={(e) => set({ requireApproval: e.target.checked })} /> Require approval to activate</label>
      {value.requireApproval && (
        <div className="stack indent">
          <p className="hint">With no approver chosen, the active Global and Privileged Role Administrators approve.</p>
          <ApprovalStages stages={value.approvalStages} onChange={(approvalStages) => set({ approvalStages })} />
          <label className="check"><input type="checkbox" checked={value.approverJustificationRequired} onChange={(e) => set({ approverJustificationRequired: e.target.checked })} /> Approvers must give a justification</label>
        </div>
      )}
      <fieldset className="stack">
        <legend>Beyond Entra</legend>
        <label className="check">
          <input type="checkbox" checked={value.mfaMaxAgeMinutes !== null} onChange={(e) => set({ mfaMaxAgeMinutes: e.target.checked ? 15 : null })} />
          Multi-factor authentication must be recent (otherwise once per session)
        </label>
        {value.mfaMaxAgeMinutes !== null && (
          <Field label="Maximum age of the multi-factor authentication (minutes)" hint="1 to 1440.">
            <input type="number" inputMode="numeric" value={value.mfaMaxAgeMinutes} onChange={(e) => set({ mfaMaxAgeMinutes: Number(e.target.value) })} />
          </Field>
        )}
        <label className="check"><input type="checkbox" checked={value.approverMfaRequired} onChange={(e) => set({ approverMfaRequired: e.target.checked })} /> Approvers must do multi-factor authentication to decide</label>
        <label className="check"><input type="checkbox" checked={value.allowWorkloadActivation} onChange={(e) => set({ allowWorkloadActivation: e.target.checked })} /> Service principals may be eligible and activate (always with approval)</label>
      </fieldset>
    </div>
  );
}
