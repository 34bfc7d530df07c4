import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SessionInfo } from '../../../src/contract/auth.ts';
import { api, setStepUpPrompt, type ApiError } from '../api.ts';
import { useAction } from '../hooks.ts';
import { useProviders } from '../providers.ts';
import { useSession } from '../session.tsx';
import type { MfaMethodView } from '../types.ts';
import { passkeysSupported, stepUpWithPasskey } from '../webauthn.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorMessage } from './Status.tsx';

interface Pending { reason: ApiError; resolve: (ok: boolean) => void }

/**
 * The MFA step-up dialog used everywhere: any API call answered with auth.mfa_required opens
 * it (api.ts), the code goes to POST /api/v1/auth/mfa (or the user's passkey to
 * /auth/mfa/passkey), and the call is retried. Calls that ask at the same time share one prompt.
 */
export function StepUpDialog() {
  const session = useSession();
  const providers = useProviders();
  const [pending, setPending] = useState<Pending | null>(null);
  const inflight = useRef<Promise<boolean> | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const { busy, error, setError, run } = useAction();
  /** The user's methods, to offer the passkey when there is one; null while loading (or unknown). */
  const [methods, setMethods] = useState<MfaMethodView[] | null>(null);

  useEffect(() => {
    if (pending === null) return;
    let live = true;
    setMethods(null);
    api.get<{ items: MfaMethodView[] }>('/api/v1/me/mfa').then((r) => { if (live) setMethods(r.items); }, () => { /* unknown: the code field stays */ });
    return () => { live = false; };
  }, [pending]);

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
  const confirmed = (t: MfaMethodView['type']) => methods?.some((m) => m.type === t && m.confirmed) === true;
  const hasPasskey = confirmed('webauthn') && passkeysSupported();
  // Until the methods are known, and for anyone with an authenticator app, the code field shows.
  const hasTotp = methods === null || confirmed('totp');
  /** Neither an app nor a usable passkey: recovery codes are all that is left. */
  const onlyCodes = !hasTotp && !hasPasskey;
  const recovery = useRecovery || onlyCodes;
  const showCode = recovery || hasTotp;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const body = recovery ? { recoveryCode: code.trim() } : { totp: code.trim() };
      session.adopt(await api.post<SessionInfo>('/api/v1/auth/mfa', body, { stepUp: false }));
      finish(true);
    });
  };
  const withPasskey = () => run(async () => {
    session.adopt(await stepUpWithPasskey());
    finish(true);
  });
  const maxAge = pending.reason.details.maxAgeMinutes;
  const stale = pending.reason.details.reason === 'stale' && typeof maxAge === 'number';
  const returnTo = window.location.pathname + window.location.search;

  return (
    <Dialog title="Verify it's you" onClose={() => finish(false)}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <p>
          This action needs multi-factor authentication
          {stale ? `, done within the last ${String(maxAge)} minutes` : ''}.{' '}
          {onlyCodes ? 'Enter one of your recovery codes to continue.' : hasPasskey && hasTotp ? 'Use your passkey, or enter the code from your authenticator app.' : hasPasskey ? 'Use your passkey to continue.' : 'Enter the code from your authenticator app to continue.'}
        </p>
        {hasPasskey && (
          <button type="button" className={showCode ? 'secondary' : undefined} disabled={busy} onClick={() => void withPasskey()}>Use a passkey</button>
        )}
        {showCode && (
          <label>
            {recovery ? 'Recovery code' : 'Authenticator code'}
            <input value={code} onChange={(e) => setCode(e.target.value)} autoFocus required autoComplete="one-time-code"
              {...(recovery ? { minLength: 8, maxLength: 20 } : { inputMode: 'numeric' as const, pattern: '[0-9]{6}', maxLength: 6 })} />
          </label>
        )}
        {!onlyCodes && (
          <button type="button" className="link" onClick={() => { setUseRecovery(!useRecovery); setCode(''); }}>
            {useRecovery ? (hasTotp ? 'Use my authenticator app instead' : 'Use my passkey instead') : 'Use a recovery code instead'}
          </button>
        )}
        {providers?.oidc.enabled === true && providers.oidc.startUrl !== null && (
          <a className="button secondary" href={`${providers.oidc.startUrl}?stepUp=1&returnTo=${encodeURIComponent(returnTo)}`}>Verify with single sign-on</a>
        )}
        <ErrorMessage message={error} />
        <div className="actions">
          {showCode && <button type="submit" disabled={busy}>{busy ? 'Verifying…' : 'Verify'}</button>}
          <button type="button" className="secondary" onClick={() => finish(false)}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
