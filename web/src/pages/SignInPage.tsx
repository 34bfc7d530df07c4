import { useState, type FormEvent } from 'react';
import type { SessionInfo } from '../../../src/contract/auth.ts';
import { api, ApiError, messageOf } from '../api.ts';
import { ErrorMessage } from '../components/Status.tsx';
import { useProviders } from '../providers.ts';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { passkeysSupported, signInWithPasskey } from '../webauthn.ts';

/**
 * Why single sign-on sent the browser back here (`/?error=<code>`, from the callback): fixed
 * wording per code, never text from the address, so a crafted link cannot speak for us.
 */
const SSO_REFUSALS: Record<string, string> = {
  'auth.sso_state_invalid': 'This sign-in link is unknown, used or expired: start the sign-in again.',
  'auth.sso_failed': 'Single sign-on failed: start the sign-in again.',
  'auth.sso_unavailable': 'The identity provider cannot be reached: try again later, or sign in with a password.',
  'auth.sso_no_user': 'No openpim user matches this sign-in. Ask an administrator to create your user (with your email as user name or mail).',
  'auth.account_disabled': 'This account is disabled.',
  'auth.sso_link_conflict': 'This user is already linked to another account at the identity provider. An administrator must unlink it first.',
  'auth.sso_user_mismatch': 'You re-authenticated at the identity provider as someone else than the signed-in user.',
  'auth.sso_mfa_missing': 'The identity provider did not report MFA for this sign-in.',
  'auth.sso_not_configured': 'Single sign-on is not configured on this server.',
};

export function ssoRefusal(code: string | null): string | null {
  if (code === null || code === '') return null;
  return SSO_REFUSALS[code] ?? 'Single sign-on did not complete: start the sign-in again.';
}

/**
 * Password, then the authenticator (or recovery) code or a passkey when the API answers
 * auth.mfa_required; passwordless sign-in with a passkey; single sign-on when configured. After sign-in the page asked for (a deep link) shows.
 */
export function SignInPage() {
  const session = useSession();
  const providers = useProviders();
  const { path, query } = useLocation();
  const [upn, setUpn] = useState('');
  const [password, setPassword] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [methods, setMethods] = useState<string[]>([]);
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(() => ssoRefusal(query.get('error')));
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const second = !needCode ? {} : useRecovery ? { recoveryCode: code.trim() } : { totp: code.trim() };
      session.adopt(await api.post<SessionInfo>('/api/v1/auth/sign-in', { userPrincipalName: upn.trim(), password, ...second }, { stepUp: false }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'auth.mfa_required') {
        setNeedCode(true);
        setMethods(Array.isArray(err.details.methods) ? err.details.methods.map(String) : []);
        setError(null);
      } else {
        setError(messageOf(err));
        if (needCode) setCode('');
      }
    } finally {
      setBusy(false);
    }
  };

  const withPasskey = async () => {
    setBusy(true);
    setError(null);
    try {
      session.adopt(await signInWithPasskey());
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const offerPasskey = needCode && methods.includes('webauthn') && passkeysSupported();
  const passkeyOnly = needCode && methods.length > 0 && !methods.includes('totp');
  const returnTo = path === '/sign-in' ? '/' : path + window.location.search;
  return (
    <main className="narrow" id="main">
      <h1>Sign in to openpim</h1>
      {session.setupRequired && (
        <p className="notice">No administrator exists yet: open the setup URL the server printed at start (<Link to="/setup">first-run setup</Link>).</p>
      )}
      <form className="card stack" onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <label>Sign-in name
          <input type="email" value={upn} onChange={(e) => setUpn(e.target.value)} required autoComplete="username" readOnly={needCode} />
        </label>
        <label>Password
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="current-password" readOnly={needCode} />
        </label>
        {needCode && (
          <>
            {offerPasskey && !useRecovery && (
              <button type="button" className={passkeyOnly ? undefined : 'secondary'} disabled={busy} onClick={() => void withPasskey()}>Use my passkey</button>
            )}
            {passkeyOnly && !useRecovery && !offerPasskey && (
              <p className="notice">This account signs in with a passkey, which this browser does not support: use a recovery code.</p>
            )}
            {(!passkeyOnly || useRecovery) && (
              <label>{useRecovery ? 'Recovery code' : 'Authenticator code'}
                <input value={code} onChange={(e) => setCode(e.target.value)} required autoFocus autoComplete="one-time-code"
                  {...(useRecovery ? { minLength: 8, maxLength: 20 } : { inputMode: 'numeric' as const, pattern: '[0-9]{6}', maxLength: 6 })} />
              </label>
            )}
            <button type="button" className="link" onClick={() => { setUseRecovery(!useRecovery); setCode(''); }}>
              {useRecovery ? (passkeyOnly ? 'Use my passkey instead' : 'Use my authenticator app instead') : 'Use a recovery code instead'}
            </button>
          </>
        )}
        <ErrorMessage message={error} />
        <div className="actions">
          {!(passkeyOnly && !useRecovery) && <button type="submit" disabled={busy}>{busy ? 'Signing in…' : needCode ? 'Verify' : 'Sign in'}</button>}
          {needCode && <button type="button" className="secondary" onClick={() => { setNeedCode(false); setCode(''); setPassword(''); }}>Start over</button>}
        </div>
      </form>
      {!needCode && passkeysSupported() && (
        <div className="card stack">
          <button type="button" className="secondary" disabled={busy} onClick={() => void withPasskey()}>Sign in with a passkey</button>
        </div>
      )}
      {providers?.oidc.enabled === true && providers.oidc.startUrl !== null && (
        <div className="card stack">
          <a className="button secondary" href={`${providers.oidc.startUrl}?returnTo=${encodeURIComponent(returnTo)}`}>Sign in with single sign-on</a>
        </div>
      )}
    </main>
  );
}
