import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { PrincipalPicker, type Picked } from '../../components/PrincipalPicker.tsx';
import { describeChoice, EMPTY_CHOICE, ScheduleFields, scheduleInput, type ScheduleChoice } from '../../components/ScheduleFields.tsx';
import { formatDateTime } from '../../format.ts';
import { submitRequest, type CreateRequest, type PimRequest } from '../../requests.ts';
import { ScopeField } from './ScopeField.tsx';
import { explain, STEPS, stepOfError, type WizardStep } from './wizard-errors.ts';

type Errors = Partial<Record<WizardStep, string[]>>;
type Kind = 'eligible' | 'active';

function outcome(name: string, r: PimRequest): string {
  const what = r.kind === 'eligible' ? 'eligible' : 'active';
  const when = r.schedule.permanent || r.schedule.endAt === null ? 'permanent' : `until ${formatDateTime(r.schedule.endAt)}`;
  return `${name}: ${what} assignment added (${when}).`;
}

/**
 * Add assignments (PIM-REFERENCE §1.6): members → eligible or active, duration and scope →
 * justification. One request per member; each refusal is shown on the step it is about.
 */
export function AddAssignmentsWizard({ roleId, roleName, onClose, onDone }: { roleId: string; roleName: string; onClose: () => void; onDone: () => void }) {
  const [step, setStep] = useState<WizardStep>('members');
  const [members, setMembers] = useState<Picked[]>([]);
  const [kind, setKind] = useState<Kind>('eligible');
  const [scope, setScope] = useState('/');
  const [schedule, setSchedule] = useState<ScheduleChoice>(EMPTY_CHOICE);
  const [justification, setJustification] = useState('');
  const [ticketNumber, setTicketNumber] = useState('');
  const [ticketSystem, setTicketSystem] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [results, setResults] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const body = (m: Picked, validateOnly: boolean): CreateRequest => ({
    action: 'adminAssign', kind, principalId: m.id, roleId, scope: scope.trim(), schedule: scheduleInput(schedule, true),
    ...(justification.trim() !== '' ? { justification: justification.trim() } : {}),
    ...(ticketNumber.trim() !== '' ? { ticket: { number: ticketNumber.trim(), ...(ticketSystem.trim() !== '' ? { system: ticketSystem.trim() } : {}) } } : {}),
    ...(validateOnly ? { validateOnly: true } : {}),
  });

  /** Files each member's refusal under its step; returns the earliest step with an error. */
  const file = (failures: Array<{ m: Picked; err: unknown }>, upTo: WizardStep): WizardStep | null => {
    const out: Errors = {};
    const order = STEPS.map((s) => s.key);
    for (const { m, err } of failures) {
      const s = stepOfError(err) ?? upTo;
      if (order.indexOf(s) > order.indexOf(upTo)) continue;
      (out[s] ??= []).push(members.length > 1 || s === 'members' ? `${m.displayName}: ${explain(err)}` : explain(err));
    }
    setErrors(out);
    return order.find((s) => out[s] !== undefined) ?? null;
  };

  /** "Next" on the Setting step asks the API (validateOnly) before going on. */
  const checkSetting = async () => {
    const failures: Array<{ m: Picked; err: unknown }> = [];
    for (const m of members) {
      try { await api.post<PimRequest>('/api/v1/requests', body(m, true), { stepUp: false }); } catch (err) {
        if (!(err instanceof ApiError && err.code === 'auth.mfa_required')) failures.push({ m, err });
      }
    }
    const first = file(failures, 'setting');
    setStep(first ?? 'justification');
  };

  const assign = async () => {
    const done: string[] = [];
    const failures: Array<{ m: Picked; err: unknown }> = [];
    for (const m of members) {
      try { done.push(outcome(m.displayName, await submitRequest(body(m, false)))); } catch (err) { failures.push({ m, err }); }
    }
    setResults((r) => [...r, ...done]);
    const ok = new Set(members.filter((m) => !failures.some((f) => f.m.id === m.id)).map((m) => m.id));
    setMembers((ms) => ms.filter((m) => !ok.has(m.id)));
    const first = file(failures, 'justification');
    if (first !== null) setStep(first);
    if (done.length > 0) onDone();
  };

  const next = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      if (step === 'members') {
        if (members.length === 0) setErrors({ members: ['Choose at least one member.'] }); else { setErrors({}); setStep('setting'); }
      } else if (step === 'setting') await checkSetting();
      else await assign();
    } finally {
      setBusy(false);
    }
  };

  const finished = results.length > 0 && members.length === 0;
  const here = errors[step] ?? [];
  const index = STEPS.findIndex((s) => s.key === step);
  return (
    <Dialog title={`Add assignments: ${roleName}`} onClose={onClose} wide>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.key} aria-current={s.key === step ? 'step' : undefined} className={errors[s.key] !== undefined ? 'has-error' : undefined}>
            {i + 1}. {s.label}{errors[s.key] !== undefined ? ' (needs attention)' : ''}
          </li>
        ))}
      </ol>
      {results.length > 0 && <div className="notice" role="status"><ul className="plain" aria-label="Results">{results.map((r) => <li key={r}>{r}</li>)}</ul></div>}
      {finished ? (
        <div className="actions"><button type="button" onClick={onClose}>Done</button></div>
      ) : (
        <form className="stack" noValidate onSubmit={(e) => void next(e)}>
          <h3>{STEPS[index]?.label}</h3>
          {step === 'members' && (
            <>
              <ul className="plain" aria-label="Selected members">
                {members.length === 0 && <li className="muted">No member chosen yet.</li>}
                {members.map((m) => (
                  <li key={m.id} className="chosen">
                    <span>{m.displayName} <span className="muted">({m.detail})</span></span>
                    <button type="button" className="link" aria-label={`Remove ${m.displayName} from the selection`} onClick={() => setMembers(members.filter((x) => x.id !== m.id))}>Remove</button>
                  </li>
                ))}
              </ul>
              <PrincipalPicker label="Search members" kinds={['user', 'group']} roleAssignableOnly exclude={new Set(members.map((m) => m.id))} pickLabel="Select"
                onPick={(p) => setMembers((ms) => [...ms, p])} />
            </>
          )}
          {step === 'setting' && (
            <>
              <fieldset className="stack">
                <legend>Assignment type</legend>
                <label className="check"><input type="radio" name="kind" checked={kind === 'eligible'} onChange={() => setKind('eligible')} /> Eligible (must activate before use)</label>
                <label className="check"><input type="radio" name="kind" checked={kind === 'active'} onChange={() => setKind('active')} /> Active (always on)</label>
              </fieldset>
              <ScheduleFields value={schedule} onChange={setSchedule} withStart permanentLabel={kind === 'eligible' ? 'Permanently eligible' : 'Permanently active'} />
              <ScopeField value={scope} onChange={setScope} />
            </>
          )}
          {step === 'justification' && (
            <>
              <p>{members.map((m) => m.displayName).join(', ')} — {kind}, {describeChoice(schedule)}, scope {scope}.</p>
              <label>Justification
                <textarea value={justification} onChange={(e) => setJustification(e.target.value)} maxLength={500} rows={3} />
              </label>
              <div className="grid2">
                <label>Ticket number (optional)<input value={ticketNumber} onChange={(e) => setTicketNumber(e.target.value)} maxLength={100} /></label>
                <label>Ticket system (optional)<input value={ticketSystem} onChange={(e) => setTicketSystem(e.target.value)} maxLength={100} /></label>
              </div>
            </>
          )}
          {here.length > 0 && <div className="error" role="alert"><ul className="plain">{here.map((m) => <li key={m}>{m}</li>)}</ul></div>}
          <div className="actions">
            {index > 0 && <button type="button" className="secondary" onClick={() => setStep(STEPS[index - 1]?.key ?? 'members')}>Back</button>}
            <button type="submit" disabled={busy}>{busy ? 'Checking…' : step === 'justification' ? `Assign${members.length > 1 ? ` ${members.length} members` : ''}` : 'Next'}</button>
            <button type="button" className="secondary" onClick={onClose}>Cancel</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
