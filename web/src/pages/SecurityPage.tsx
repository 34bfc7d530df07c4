import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../api.ts';
import { Dialog } from '../components/Dialog.tsx';
import { Field } from '../components/Field.tsx';
import { FormActions } from '../components/FormActions.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { TotpEnrolment } from '../components/TotpEnrolment.tsx';
import { formatDateTime } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { useSession } from '../session.tsx';
import type { MfaMethodView, RecoveryCodesAnswer } from '../types.ts';
import { passkeysSupported, registerPasskey } from '../webauthn.ts';

const TYPE_LABEL: Record<MfaMethodView['type'], string> = { totp: 'Authenticator app', webauthn: 'Passkey', recovery: 'Recovery codes' };
/** What a method is called in buttons and messages (the recovery entry's name is a count). */
const labelOf = (m: MfaMethodView) => (m.type === 'recovery' ? 'Recovery codes' : m.name);

/**
 * Settings › Security: my second factors (authenticator apps, passkeys, recovery codes). Every
 * change needs MFA from the last 15 minutes; the API says so with auth.mfa_required and the
 * step-up dialog (api.ts) asks before the change goes on.
 */
export function SecurityPage() {
  const session = useSession();
  const methods = useLoad(() => api.get<{ items: MfaMethodView[] }>('/api/v1/me/mfa'), 'mfa');
  const [addingTotp, setAddingTotp] = useState(false);
  const [passkeyName, setPasskeyName] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [renaming, setRenaming] = useState<MfaMethodView | null>(null);
  const [removing, setRemoving] = useState<MfaMethodView | null>(null);
  const [replacingCodes, setReplacingCodes] = useState(false);

  const items = methods.data?.items ?? [];
  const factors = items.filter((m) => m.type !== 'recovery');
  const confirmedFactors = factors.filter((m) => m.confirmed);
  const recovery = items.find((m) => m.type === 'recovery');

  /** Runs one change: a message on success, the API's message on failure, the list reloaded either way. */
  const run = async (what: string, change: () => Promise<string>) => {
    setBusy(what);
    setError(null);
    setNotice(null);
    try {
      setNotice(await change());
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
      void methods.reload();
    }
  };

  const addPasskey = (e: FormEvent) => {
    e.preventDefault();
    void run('passkey', async () => {
      session.adopt(await registerPasskey(passkeyName));
      setPasskeyName('');
      return 'Passkey registered: you can now sign in with it.';
    });
  };

  const newCodes = () => {
    setReplacingCodes(false);
    void run('codes', async () => {
      const r = await api.post<RecoveryCodesAnswer>('/api/v1/me/mfa/recovery-codes');
      setCodes(r.codes);
      return 'New recovery codes created: earlier ones no longer work.';
    });
  };

  return (
    <main id="main">
      <h1>Security</h1>
      <p className="muted">How you prove it is you: an authenticator app, passkeys, and recovery codes for when both are out of reach.</p>
      {notice !== null && <Notice>{notice}</Notice>}
      <ErrorMessage message={error} />

      <section className="card" aria-labelledby="security-methods">
        <h2 id="security-methods">Your sign-in methods</h2>
        {methods.data === undefined && methods.error === null && <Loading what="your sign-in methods" />}
        <ErrorMessage message={methods.error} onRetry={() => void methods.reload()} />
        {methods.data !== undefined && (items.length === 0
          ? <Empty>You have no second factor yet: you sign in with your password alone. Add an authenticator app or a passkey below.</Empty>
          : (
            <table className="list">
              <caption className="sr-only">Your sign-in methods</caption>
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col">Actions</th></tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <tr key={m.id}>
                    <th scope="row" data-label="Name">{m.name}{!m.confirmed && <> <span className="badge pending">Not confirmed</span></>}</th>
                    <td data-label="Type">{TYPE_LABEL[m.type]}</td>
                    <td data-label="Added">{formatDateTime(m.createdAt)}</td>
                    <td data-label="Last used">{m.type === 'recovery' ? '—' : m.lastUsedAt === null ? 'Never' : formatDateTime(m.lastUsedAt)}</td>
                    <td data-label="Actions" className="row-actions">
                      {m.type !== 'recovery' && <button type="button" className="secondary" aria-label={`Rename ${m.name}`} onClick={() => setRenaming(m)}>Rename</button>}
                      <button type="button" className="secondary" aria-label={`Remove ${labelOf(m)}`} onClick={() => setRemoving(m)}>Remove</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
      </section>

      <section className="card stack" aria-labelledby="security-add">
        <h2 id="security-add">Add a method</h2>
        {!addingTotp && (
          <div className="actions">
            <button type="button" onClick={() => { setNotice(null); setError(null); setAddingTotp(true); }}>Add an authenticator app</button>
          </div>
        )}
        {addingTotp && (
          <TotpEnrolment heading="New authenticator app" onCancel={() => { setAddingTotp(false); void methods.reload(); }}
            onDone={() => { setAddingTotp(false); setNotice('Authenticator app added.'); void methods.reload(); }} />
        )}
        <form className="stack passkey-form" onSubmit={addPasskey} aria-labelledby="security-passkey">
          <h3 id="security-passkey">Passkey</h3>
          <p className="muted">A passkey lives on this device, a phone or a security key and is unlocked with a PIN or biometric. It cannot be phished, and it signs you in without a password.</p>
          {!passkeysSupported() && <p className="notice">This browser does not support passkeys.</p>}
          <Field label="Passkey name" hint="Optional, to tell your passkeys apart, e.g. “Work laptop”.">
            <input value={passkeyName} onChange={(e) => setPasskeyName(e.target.value)} maxLength={100} autoComplete="off" />
          </Field>
          <div className="actions">
            <button type="submit" disabled={busy === 'passkey' || !passkeysSupported()}>{busy === 'passkey' ? 'Waiting for the passkey…' : 'Register a passkey'}</button>
          </div>
        </form>
      </section>

      <section className="card stack" aria-labelledby="security-recovery">
        <h2 id="security-recovery">Recovery codes</h2>
        <p>
          Single-use codes for when your authenticator and passkeys are out of reach. Store them offline, like a password.{' '}
          {methods.data !== undefined && <strong>{recovery?.name ?? 'You have no recovery codes.'}</strong>}
        </p>
        {codes !== null && (
          <div className="stack recovery-codes" role="region" aria-label="Your new recovery codes">
            <p><strong>Save these codes now: they are shown only once.</strong></p>
            <ul className="codes" aria-label="Recovery codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
            <div className="actions"><button type="button" className="secondary" onClick={() => setCodes(null)}>I have saved them</button></div>
          </div>
        )}
        {confirmedFactors.length === 0 && methods.data !== undefined && <p className="muted">Add an authenticator app or a passkey first: recovery codes back them up.</p>}
        <div className="actions">
          <button type="button" disabled={busy === 'codes' || confirmedFactors.length === 0}
            onClick={() => (recovery !== undefined ? setReplacingCodes(true) : newCodes())}>
            {recovery !== undefined ? 'Regenerate recovery codes' : 'Create recovery codes'}
          </button>
        </div>
      </section>

      {renaming !== null && (
        <RenameDialog method={renaming} onClose={() => setRenaming(null)}
          onDone={(name) => { setRenaming(null); setNotice(`Renamed to “${name}”.`); setError(null); void methods.reload(); }} />
      )}
      {removing !== null && (
        <Dialog title={`Remove ${labelOf(removing)}?`} onClose={() => setRemoving(null)}>
          <div className="stack">
            <p>
              {removing.type === 'recovery'
                ? 'Your unused recovery codes stop working.'
                : `This ${TYPE_LABEL[removing.type].toLowerCase()} can no longer be used to sign in or verify it is you.`}
              {removing.type !== 'recovery' && removing.confirmed && confirmedFactors.length === 1 && ' It is your last second factor: you will sign in with your password alone.'}
            </p>
            <div className="actions">
              <button type="button" className="danger" onClick={() => {
                const m = removing;
                setRemoving(null);
                void run('remove', async () => {
                  await api.del(`/api/v1/me/mfa/${encodeURIComponent(m.id)}`);
                  return `${labelOf(m)} removed.`;
                });
              }}>Remove</button>
              <button type="button" className="secondary" onClick={() => setRemoving(null)}>Cancel</button>
            </div>
          </div>
        </Dialog>
      )}
      {replacingCodes && (
        <Dialog title="Regenerate recovery codes?" onClose={() => setReplacingCodes(false)}>
          <div className="stack">
            <p>You get ten new codes; the codes you have now stop working.</p>
            <div className="actions">
              <button type="button" onClick={newCodes}>Regenerate</button>
              <button type="button" className="secondary" onClick={() => setReplacingCodes(false)}>Cancel</button>
            </div>
          </div>
        </Dialog>
      )}
    </main>
  );
}

function RenameDialog({ method, onClose, onDone }: { method: MfaMethodView; onClose: () => void; onDone: (name: string) => void }) {
  const [name, setName] = useState(method.name);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const m = await api.patch<MfaMethodView>(`/api/v1/me/mfa/${encodeURIComponent(method.id)}`, { name: name.trim() });
      onDone(m.name);
    });
  };
  return (
    <Dialog title={`Rename ${method.name}`} onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>New name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus />
        </label>
        <ErrorMessage message={error} />
        <FormActions busy={busy} label="Save" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
