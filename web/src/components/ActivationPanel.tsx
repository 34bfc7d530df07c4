import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, messageOf, stepUpNow } from '../api.ts';
import { activateBundle } from '../bundles.ts';
import { describeMinutes, describeScope, durationChoices, durationMinutes, formatDateTime, localInputToIso, minutesToIso } from '../format.ts';
import { useAction } from '../hooks.ts';
import { submitBatch, submitRequest, type CreateRequest, type PimRequest, type Requirements, type RoleAssignment } from '../requests.ts';
import type { User } from '../session.tsx';
import { Dialog } from './Dialog.tsx';
import { Field } from './Field.tsx';
import { FormActions } from './FormActions.tsx';
import { ErrorMessage, Loading } from './Status.tsx';

interface Check { row: RoleAssignment; requirements?: Requirements; error?: string }

/** What the role settings ask of these activations together (the strictest of each). */
function combined(checks: Check[]) {
  const reqs = checks.flatMap((c) => (c.requirements === undefined ? [] : [c.requirements]));
  const maxes = reqs.map((r) => durationMinutes(r.maximumDuration) ?? 60);
  return {
    mfa: reqs.some((r) => r.mfa), mfaMissing: reqs.some((r) => r.missing.includes('mfa')),
    justification: reqs.some((r) => r.justification), ticket: reqs.some((r) => r.ticket), approval: reqs.some((r) => r.approval),
    maxMinutes: maxes.length === 0 ? 60 : Math.min(...maxes),
  };
}

export function outcomeText(name: string, r: PimRequest): string {
  if (r.status === 'PendingApproval') return `${name}: request sent, pending approval.`;
  if (r.status === 'Granted') return `${name}: scheduled from ${formatDateTime(r.schedule.startAt)} until ${formatDateTime(r.schedule.endAt)}.`;
  return `${name}: active until ${formatDateTime(r.schedule.endAt)}.`;
}

const roleOf = (row: RoleAssignment) => row.roleDisplayName ?? row.roleId;

/**
 * The activation panel for one or several eligible roles: duration up to the role's maximum,
 * optional start, narrower scope, justification and ticket when asked, and what will happen.
 * The requirements come from the API itself (validateOnly), so the panel never guesses them.
 */
export function ActivationPanel({ me, rows, bundle, onClose, onDone }: {
  me: User; rows: RoleAssignment[];
  /** A role bundle being activated: `rows` are its items, in its order, with the bundle's scopes. */
  bundle?: { id: string; name: string; size: number };
  onClose: () => void; onDone: (messages: string[], keepOpen: boolean) => void;
}) {
  const single = rows.length === 1 ? rows[0] : undefined;
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [minutes, setMinutes] = useState<number | null>(null);
  const [start, setStart] = useState('');
  const [scope, setScope] = useState(single?.scope ?? '/');
  const [justification, setJustification] = useState('');
  const [ticketNumber, setTicketNumber] = useState('');
  const [ticketSystem, setTicketSystem] = useState('');
  const { busy, error, setError, run } = useAction();
  const [itemErrors, setItemErrors] = useState<string[]>([]);

  const base = (row: RoleAssignment): CreateRequest => ({ action: 'selfActivate', principalId: me.id, roleId: row.roleId, scope: single !== undefined ? scope.trim() : row.scope });

  useEffect(() => {
    submitBatch(rows.map((row) => ({ ...base(row), validateOnly: true }))).then((r) => {
      setChecks(rows.map((row, i) => {
        const res = r.results[i];
        return res?.request?.requirements !== undefined ? { row, requirements: res.request.requirements } : { row, error: res?.error?.message ?? 'Cannot activate this role now.' };
      }));
    }, (err: unknown) => setError(messageOf(err)));
    // Checked once when the panel opens; a changed scope is checked again on submit.
  }, []);

  const need = checks === null ? null : combined(checks);
  const chosen = minutes ?? need?.maxMinutes ?? 60;
  const title = bundle !== undefined ? `Activate ${bundle.name}` : single !== undefined ? `Activate ${roleOf(single)}` : `Activate ${rows.length} roles`;

  /** What every activation of this panel shares: one duration, start, justification and ticket. */
  const shared = () => {
    const startAt = localInputToIso(start);
    return {
      schedule: { duration: minutesToIso(chosen), ...(startAt !== undefined ? { startAt } : {}) },
      ...(justification.trim() !== '' ? { justification: justification.trim() } : {}),
      ...(ticketNumber.trim() !== '' ? { ticket: { number: ticketNumber.trim(), ...(ticketSystem.trim() !== '' ? { system: ticketSystem.trim() } : {}) } } : {}),
    };
  };
  const request = (row: RoleAssignment): CreateRequest => ({ ...base(row), ...shared() });

  const submitOne = async (row: RoleAssignment) => {
    const r = await submitRequest(request(row));
    onDone([outcomeText(roleOf(row), r)], false);
  };

  /** Several at once: each is decided on its own; MFA is asked once for the lot, then those are sent again. */
  const submitMany = async (targets: RoleAssignment[]) => {
    const done: string[] = [];
    const failed: string[] = [];
    let todo = targets;
    let steppedUp = false;
    // A whole bundle goes to its own endpoint (same checks as a batch); a retry after MFA sends only what is left.
    let viaBundle = bundle !== undefined && targets.length === bundle.size;
    while (todo.length > 0) {
      const r = viaBundle && bundle !== undefined ? await activateBundle(bundle.id, shared()) : await submitBatch(todo.map(request));
      viaBundle = false;
      const retry: RoleAssignment[] = [];
      let mfaReason: ApiError | null = null;
      for (const [i, row] of todo.entries()) {
        const res = r.results[i];
        if (res?.request !== undefined) done.push(outcomeText(roleOf(row), res.request));
        else if (res?.error?.code === 'auth.mfa_required' && !steppedUp) {
          retry.push(row);
          mfaReason ??= new ApiError(403, res.error.code, res.error.message, res.error.details);
        } else failed.push(`${roleOf(row)}: ${res?.error?.message ?? 'Failed.'}`);
      }
      todo = [];
      if (mfaReason !== null) {
        steppedUp = true;
        if (await stepUpNow(mfaReason)) todo = retry;
        else failed.push(...retry.map((row) => `${roleOf(row)}: multi-factor authentication was not completed.`));
      }
    }
    setItemErrors(failed);
    onDone(done, failed.length > 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (checks === null) return;
    setItemErrors([]);
    await run(async () => {
      const ok = checks.filter((c) => c.error === undefined).map((c) => c.row);
      if (single !== undefined) await submitOne(single); else await submitMany(ok);
    });
  };

  return (
    <Dialog title={title} onClose={onClose} wide>
      {checks === null && error === null && <Loading what="the role settings" />}
      {checks !== null && need !== null && (
        <form className="stack" onSubmit={(e) => void submit(e)}>
          {single === undefined && (
            <ul className="plain" aria-label="Roles to activate">
              {checks.map((c) => <li key={c.row.scheduleId}>{roleOf(c.row)} <span className="muted">({describeScope(c.row.scope)})</span>{c.error !== undefined && <span className="error-text"> — {c.error}</span>}</li>)}
            </ul>
          )}
          {single !== undefined && checks[0]?.error !== undefined && <ErrorMessage message={checks[0].error} />}
          <div className="grid2">
            <Field label="Duration" hint={`At most ${describeMinutes(need.maxMinutes)}.`}>
              <select value={chosen} onChange={(e) => setMinutes(Number(e.target.value))}>
                {durationChoices(need.maxMinutes).map((m) => <option key={m} value={m}>{describeMinutes(m)}</option>)}
              </select>
            </Field>
            <Field label="Start time (optional)" hint="Empty: start now.">
              <input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
            </Field>
          </div>
          {single !== undefined && (
            <Field label="Scope" hint={`Your eligibility covers ${describeScope(single.scope)}; you may choose a narrower scope below it.`}>
              <input value={scope} onChange={(e) => setScope(e.target.value)} required maxLength={1024} spellCheck={false} />
            </Field>
          )}
          <label>Justification{need.justification ? ' (required)' : ' (optional)'}
            <textarea value={justification} onChange={(e) => setJustification(e.target.value)} required={need.justification} maxLength={500} rows={3} />
          </label>
          {need.ticket && (
            <div className="grid2">
              <label>Ticket number (required)
                <input value={ticketNumber} onChange={(e) => setTicketNumber(e.target.value)} required maxLength={100} />
              </label>
              <label>Ticket system
                <input value={ticketSystem} onChange={(e) => setTicketSystem(e.target.value)} maxLength={100} placeholder="ServiceNow" />
              </label>
            </div>
          )}
          <section className="what-happens" aria-label="What will happen">
            <h3>What will happen</h3>
            <ul>
              {need.mfaMissing && <li>You will be asked for a code from your authenticator app, or your passkey (multi-factor authentication).</li>}
              {need.mfa && !need.mfaMissing && <li>Multi-factor authentication is required: your recent verification counts.</li>}
              {need.approval
                ? <li>Approval is required: the request waits for an approver, and the role becomes active for {describeMinutes(chosen)} once approved.</li>
                : <li>No approval is needed: the role becomes active {start === '' ? 'at once' : `at ${formatDateTime(localInputToIso(start))}`} for {describeMinutes(chosen)}.</li>}
            </ul>
          </section>
          <ErrorMessage message={error} />
          {itemErrors.length > 0 && <div className="error" role="alert"><ul className="plain">{itemErrors.map((m) => <li key={m}>{m}</li>)}</ul></div>}
          <FormActions busy={busy} disabled={checks.every((c) => c.error !== undefined) && single === undefined}
            label={need.approval ? 'Request activation' : 'Activate'} busyLabel="Submitting…" onCancel={onClose} />
        </form>
      )}
      {checks === null && <ErrorMessage message={error} />}
    </Dialog>
  );
}
