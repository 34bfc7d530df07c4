import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SessionInfo } from '../../../src/contract/auth.ts';
import { api, messageOf, setStepUpPrompt, type ApiError } from '../api.ts';
import { useProviders } from '../providers.ts';
import { useSession } from '../session.tsx';
import { Dialog } from './Dialog.tsx';
import { ErrorMessage } from './Status.tsx';

interface Pending { reason: ApiError; resolve: (ok: boolean) => void }

/**
 * The MFA step-up dialog used everywhere: any API call answered with auth.mfa_required opens
 * it (api.ts), the code goes to POST /api/v1/auth/mfa, and the call is retried. Calls that
 * ask at the same time share one prompt.
 */
export function StepUpDialog() {
  const session = useSession();
  const providers = useProviders();
  const [pending, setPending] = useState<Pending | null>(null);
  const inflight = useRef<Promise<boolean> | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setStepUpPrompt((reason) => {
      if (inflight.current !== null) return inflight.current;
      const p = new Promise<boolean>((resolve) => { setPending({ reason, resolve }); });
      inflight.current = p;
      void p.finally(() => { inflight.current = null; });
      return p;
    });
    return () => setStepUpPrompt(null);
  }, []);

  if (pending === null) return null;

  const finish = (ok: boolean) => {
    pending.resolve(ok);
    setPending(null);
    setCode('');
    setError(null);
    setUseRecovery(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = useRecovery ? { recoveryCode: code.trim() } : { totp: code.trim() };
      session.adopt(await api.post<SessionInfo>('/api/v1/auth/mfa', body, { stepUp: false }));
      finish(true);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const maxAge = pending.reason.details.maxAgeMinutes;
  const stale = pending.reason.details.reason === 'stale' && typeof maxAge === 'number';
  const returnTo = window.location.pathname + window.location.search;

  return (
    <Dialog title="Verify it's you" onClose={() => finish(false)}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <p>
          This action needs multi-factor authentication
          {stale ? `, done within the last ${String(maxAge)} minutes` : ''}. Enter the code from your authenticator app to continue.
        </p>
        <label>
          {useRecovery ? 'Recovery code' : 'Authenticator code'}
          <input value={code} onChange={(e) => setCode(e.target.value)} autoFocus required autoComplete="one-time-code"
            {...(useRecovery ? { minLength: 8, maxLength: 20 } : { inputMode: 'numeric' as const, pattern: '[0-9]{6}', maxLength: 6 })} />
        </label>
        <button type="button" className="link" onClick={() => { setUseRecovery(!useRecovery); setCode(''); }}>
          {useRecovery ? 'Use my authenticator app instead' : 'Use a recovery code instead'}
        </button>
        {/* Passkey step-up (POST /api/v1/auth/mfa/passkey/options + /auth/mfa/passkey) goes here in a later slice. */}
        {providers?.oidc.enabled === true && providers.oidc.startUrl !== null && (
          <a className="button secondary" href={`${providers.oidc.startUrl}?stepUp=1&returnTo=${encodeURIComponent(returnTo)}`}>Verify with single sign-on</a>
        )}
        <ErrorMessage message={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>{busy ? 'Verifying…' : 'Verify'}</button>
          <button type="button" className="secondary" onClick={() => finish(false)}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
