import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, call, messageOf } from '../api.ts';
import { useSession } from '../session.tsx';
import type { ConfirmedTotp, TotpEnrolmentAnswer } from '../types.ts';
import { FormActions } from './FormActions.tsx';
import { ErrorMessage, Loading } from './Status.tsx';

/**
 * Enrols an authenticator app with the ordinary endpoints: POST /me/mfa/totp (QR code, secret,
 * otpauth URI), then …/confirm with a first code, which rotates the session (MFA done). Used by
 * first-run setup and by the Security page.
 */
export function TotpEnrolment({ heading, name = 'Authenticator app', onDone, onCancel }: { heading: string; name?: string; onDone: () => void; onCancel?: () => void }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolmentAnswer | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const session = useSession();
  const headingId = useId();

  useEffect(() => {
    api.post<TotpEnrolmentAnswer>('/api/v1/me/mfa/totp', { name }).then(setEnrolment, (err: unknown) => setError(messageOf(err)));
    // One enrolment per mount: the name is only its initial label.
  }, []);

  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    if (enrolment === null) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<ConfirmedTotp>(`/api/v1/me/mfa/totp/${encodeURIComponent(enrolment.id)}/confirm`, { code: code.trim() });
      if (r.session !== null) session.adopt(r.session);
      onDone();
    } catch (err) {
      setError(messageOf(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  /** Cancelling drops the unconfirmed enrolment, so it does not linger in the list (best effort: it expires unconfirmed anyway). */
  const cancel = async () => {
    if (enrolment !== null) await call('DELETE', `/api/v1/me/mfa/${encodeURIComponent(enrolment.id)}`, undefined, { stepUp: false }).catch(() => undefined);
    onCancel?.();
  };

  return (
    <form className="card stack" onSubmit={(e) => void confirm(e)} aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      <p>Scan the QR code with an authenticator app, then enter the 6-digit code it shows.</p>
      {enrolment === null && error === null && <Loading what="the QR code" />}
      {enrolment !== null && (
        <div className="qr">
          <img src={enrolment.qrCode} alt="QR code for your authenticator app" width={200} height={200} />
          <p>Cannot scan? Type in this key: <code aria-label="Secret key">{enrolment.secret}</code></p>
          <details>
            <summary>Show the otpauth URI</summary>
            <p><code aria-label="otpauth URI">{enrolment.otpauthUri}</code></p>
            <p><a href={enrolment.otpauthUri}>Open in an authenticator app on this device</a></p>
          </details>
        </div>
      )}
      <label>Code from the app
        <input value={code} onChange={(e) => setCode(e.target.value)} required inputMode="numeric" pattern="[0-9]{6}" maxLength={6} autoComplete="one-time-code" />
      </label>
      <ErrorMessage message={error} />
      <FormActions busy={busy} disabled={enrolment === null} label="Confirm" busyLabel="Checking…"
        onCancel={onCancel === undefined ? undefined : () => void cancel()} />
    </form>
  );
}
