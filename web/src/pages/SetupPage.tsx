import { useEffect, useState, type FormEvent } from 'react';
import type { RecoveryCodesAnswer } from '../types.ts';
import type { SessionInfo } from '../../../src/contract/auth.ts';
import type { SetupStatus } from '../../../src/contract/setup.ts';
import { api, messageOf } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { FormActions } from '../components/FormActions.tsx';
import { ErrorMessage, Loading } from '../components/Status.tsx';
import { TotpEnrolment } from '../components/TotpEnrolment.tsx';
import { useAction } from '../hooks.ts';
import { navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';

type Step = 'checking' | 'account' | 'totp' | 'done';

/**
 * First run: creates the first Global Administrator with a password (POST /api/v1/setup and
 * the setup code the server printed), then enrols an authenticator app. Once an administrator
 * exists the page is gone: it sends people to sign in.
 */
export function SetupPage() {
  const { query } = useLocation();
  const session = useSession();
  const [step, setStep] = useState<Step>('checking');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.get<SetupStatus>('/api/v1/setup').then((s) => {
      if (s.required) setStep('account'); else navigate('/', { replace: true });
    }, (err: unknown) => { setError(messageOf(err)); setStep('account'); });
  }, []);

  return (
    <main className="narrow" id="main">
      <h1>Set up openpim</h1>
      {step === 'checking' && <Loading what="setup status" />}
      <ErrorMessage message={error} />
      {step === 'account' && <AccountStep initialCode={query.get('code') ?? ''} onDone={(info) => { session.adopt(info); setStep('totp'); }} />}
      {step === 'totp' && <TotpEnrolment heading="2. Authenticator app" onDone={() => setStep('done')} />}
      {step === 'done' && <DoneStep />}
    </main>
  );
}

function AccountStep({ initialCode, onDone }: { initialCode: string; onDone: (info: SessionInfo) => void }) {
  const [code, setCode] = useState(initialCode);
  const [upn, setUpn] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, setError, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) { setError('The two passwords differ.'); return; }
    await run(async () => {
      onDone(await api.post<SessionInfo>('/api/v1/setup', { code: code.trim(), userPrincipalName: upn.trim(), displayName: displayName.trim(), password }));
    });
  };

  return (
    <form className="card stack" onSubmit={(e) => void submit(e)} aria-labelledby="setup-account">
      <h2 id="setup-account">1. The first administrator</h2>
      <p>
        This account becomes a <strong>permanent active Global Administrator</strong> (and Privileged Role Administrator): the
        break-glass account. Keep its password and authenticator safe; make other administrators eligible instead of permanent.
      </p>
      <Field label="Setup code" hint="Printed by the server when it started (the setup URL carries it).">
        <input value={code} onChange={(e) => setCode(e.target.value)} required autoComplete="off" spellCheck={false} />
      </Field>
      <label>Sign-in name
        <input type="email" value={upn} onChange={(e) => setUpn(e.target.value)} required autoComplete="username" placeholder="alice@example.com" />
      </label>
      <label>Display name
        <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} required maxLength={256} autoComplete="name" />
      </label>
      <Field label="Password" hint="At least 12 characters; a passphrase is best.">
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={12} maxLength={256} autoComplete="new-password" />
      </Field>
      <label>Repeat the password
        <input type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required autoComplete="new-password" />
      </label>
      <ErrorMessage message={error} />
      <FormActions busy={busy} label="Create administrator" busyLabel="Creating…" />
    </form>
  );
}

function DoneStep() {
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const makeCodes = () => api.post<RecoveryCodesAnswer>('/api/v1/me/mfa/recovery-codes').then((r) => setCodes(r.codes), (err: unknown) => setError(messageOf(err)));
  return (
    <section className="card stack" aria-labelledby="setup-done">
      <h2 id="setup-done">3. Done</h2>
      <p>The administrator exists and signs in with password and authenticator code. This setup page is now gone.</p>
      <p>Recovery codes let you sign in if the authenticator is lost. Store them offline, like the password.</p>
      {codes === null
        ? <div className="actions"><button type="button" className="secondary" onClick={() => void makeCodes()}>Create recovery codes</button></div>
        : <ul className="codes" aria-label="Recovery codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>}
      <ErrorMessage message={error} />
      <div className="actions"><button type="button" onClick={() => navigate('/', { replace: true })}>Continue to My roles</button></div>
    </section>
  );
}
