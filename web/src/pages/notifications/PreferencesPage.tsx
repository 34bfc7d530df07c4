import { useEffect, useState, type FormEvent } from 'react';
import { FormActions } from '../../components/FormActions.tsx';
import { ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useAction, useLoad } from '../../hooks.ts';
import { notificationsApi } from './common.tsx';

/** My notification preferences: informational mail on or off; approval requests always come. */
export function PreferencesPage() {
  const prefs = useLoad(() => notificationsApi.preferences(), 'preferences');
  const [informational, setInformational] = useState<boolean | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const stored = prefs.data?.informationalMail;
  useEffect(() => { if (stored !== undefined) setInformational(stored); }, [stored]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (informational === null) return;
    setNotice(null);
    await run(async () => {
      const after = await notificationsApi.setPreferences(informational);
      setNotice(after.informationalMail
        ? 'Saved: you get informational mail again.'
        : 'Saved: no more informational mail. Approval requests addressed to you still come.');
      await prefs.reload();
    });
  };

  return (
    <main id="main" className="notif-narrow">
      <h1>Notification settings</h1>
      <ErrorMessage message={prefs.error} onRetry={() => void prefs.reload()} />
      {prefs.data === undefined && prefs.error === null && <Loading what="your notification settings" />}
      {prefs.data !== undefined && informational !== null && (
        <form className="card stack" onSubmit={(e) => void save(e)} aria-labelledby="notif-mail-heading">
          <h2 id="notif-mail-heading">Mail</h2>
          <div className="notif-check">
            <input id="notif-informational" type="checkbox" checked={informational} onChange={(e) => setInformational(e.target.checked)} aria-describedby="notif-informational-hint" />
            <label htmlFor="notif-informational">Send me informational mail</label>
          </div>
          <p id="notif-informational-hint" className="hint">
            Informational mail tells you what happened: roles assigned to you, activations, decisions on your requests, assignments about to expire,
            and (for administrators) alerts and the weekly digest. <strong>Approval requests addressed to you always come</strong>, whatever you choose here:
            requesters wait for your decision.
          </p>
          {prefs.data.updatedAt !== null && <p className="muted">Last changed {formatDateTime(prefs.data.updatedAt)}.</p>}
          {notice !== null && <Notice>{notice}</Notice>}
          <ErrorMessage message={error} />
          <FormActions busy={busy} disabled={informational === stored} label="Save" />
        </form>
      )}
    </main>
  );
}
