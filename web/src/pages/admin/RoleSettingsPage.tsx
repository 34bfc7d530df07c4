import { useEffect, useState, type FormEvent } from 'react';
import { adminApi, type RoleSettingsAnswer } from '../../admin-api.ts';
import { ApiError, messageOf } from '../../api.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { describeScope, formatDateTime } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { useNames } from '../../names.ts';
import { tabOfError, type RolePolicy, type SettingsTab } from '../../policy.ts';
import { Link } from '../../router.tsx';
import { ScopeField } from './ScopeField.tsx';
import { ActivationTab } from './settings/ActivationTab.tsx';
import { AssignmentTab } from './settings/AssignmentTab.tsx';
import { NotificationTab, parseRecipients, recipientTexts } from './settings/NotificationTab.tsx';

const TABS: Array<{ key: SettingsTab; label: string }> = [{ key: 'activation', label: 'Activation' }, { key: 'assignment', label: 'Assignment' }, { key: 'notification', label: 'Notification' }];

/** The tab a refusal is about: the field it names, or for schema errors the path of the first problem. */
function tabOf(err: unknown): SettingsTab | null {
  if (!(err instanceof ApiError)) return null;
  const problems = err.details.problems;
  if (Array.isArray(problems)) {
    const first: unknown = problems[0];
    const path = typeof first === 'object' && first !== null && 'path' in first && typeof first.path === 'string' ? first.path : '';
    return tabOfError(err.code, path.replace(/^body\//, '').replaceAll('/', '.'));
  }
  return tabOfError(err.code, err.details.field);
}

/** The settings to send: recipients parsed, a single stage without anyone meaning "the default approvers". */
function toSave(p: RolePolicy, texts: Record<string, string>): RolePolicy {
  const out = structuredClone(p);
  for (const [key, text] of Object.entries(texts)) {
    const [s, r] = key.split('.') as [keyof RolePolicy['notifications'], 'admin' | 'assignee' | 'approver'];
    out.notifications[s][r].additionalRecipients = parseRecipients(text);
  }
  const stages = out.activation.approvalStages;
  if (stages.length === 1 && stages[0]?.approvers.length === 0 && stages[0].escalation === null) out.activation.approvalStages = [];
  return out;
}

/** The answer's scope has settings of its own (at "/": the role-wide settings). */
const ownAt = (s: RoleSettingsAnswer) => s.definedAt === s.scope;

/** Where the settings in force come from: saved here, inherited from a scope above, or the defaults. */
function Source({ s }: { s: RoleSettingsAnswer }) {
  const names = useNames(s.lastModifiedBy === null ? [] : [s.lastModifiedBy], 'principal');
  const by = s.lastModifiedBy === null ? '' : ` by ${names[s.lastModifiedBy] ?? s.lastModifiedBy}`;
  const when = `${by} on ${formatDateTime(s.lastModifiedAt)}`;
  if (s.scope === '/') {
    if (s.source === 'default') return <p className="muted">These are the default settings: nothing has been saved for this role.</p>;
    return <p className="muted">Saved for this role{when}.</p>;
  }
  if (ownAt(s)) return <p className="muted"><span className="badge active">Override</span> This scope has its own settings, saved{when}. They also govern the scopes below it that have none.</p>;
  const from = s.source === 'default' ? 'the default settings (nothing is saved for this role at or above this scope) apply'
    : s.source === 'role' ? 'the role-wide settings (Directory, /) apply' : <>the override at <code>{s.definedAt}</code> applies</>;
  return <p className="muted"><span className="badge">Inherited</span> This scope has no settings of its own: {from} here. Saving creates an override for this scope.</p>;
}

/** /admin/roles/:id/settings — Activation, Assignment and Notification, as PIM-REFERENCE §2.1–2.3. */
export function RoleSettingsPage({ id }: { id: string }) {
  const role = useLoad(() => adminApi.role(id), id);
  // The scope shown (applied with "Show settings"; kept in ?scope= so a reload or a link opens it), and the one being chosen.
  const [scope, setScope] = useState(() => new URLSearchParams(window.location.search).get('scope') ?? '/');
  const [scopeDraft, setScopeDraft] = useState(scope);
  const loaded = useLoad(() => adminApi.settings(id, scope), `${id}:${scope}`);
  const [answer, setAnswer] = useState<RoleSettingsAnswer | null>(null);
  const [draft, setDraft] = useState<RolePolicy | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [tab, setTab] = useState<SettingsTab>('activation');
  const [error, setError] = useState<{ tab: SettingsTab | null; message: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmReset, setConfirmReset] = useState(false);
  const atRoot = scope === '/';
  const where = atRoot ? '' : ` at ${scope}`;

  const adopt = (a: RoleSettingsAnswer) => { setAnswer(a); setDraft(structuredClone(a.settings)); setTexts(recipientTexts(a.settings.notifications)); };
  useEffect(() => { if (loaded.data !== undefined) adopt(loaded.data); }, [loaded.data]);

  const name = role.data?.displayName ?? id;
  const showScope = (e: FormEvent) => {
    e.preventDefault();
    const next = scopeDraft.trim();
    if (next === scope) return;
    // Nothing of the other scope stays on screen while this one loads.
    setAnswer(null); setDraft(null); setError(null); setNotice(null); setTab('activation'); setScope(next);
    window.history.replaceState(null, '', `${window.location.pathname}${next === '/' ? '' : `?scope=${encodeURIComponent(next)}`}`);
  };
  const fail = (err: unknown) => {
    const t = tabOf(err);
    if (t !== null) setTab(t);
    setError({ tab: t, message: messageOf(err) });
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (draft === null) return;
    setBusy(true); setError(null); setNotice(null);
    try { adopt(await adminApi.saveSettings(id, toSave(draft, texts), scope)); setNotice(atRoot ? 'Settings saved.' : `Settings saved for ${scope}.`); } catch (err) { fail(err); } finally { setBusy(false); }
  };
  const reset = async () => {
    setConfirmReset(false); setBusy(true); setError(null); setNotice(null);
    try {
      const a = await adminApi.resetSettings(id, scope);
      adopt(a);
      setNotice(atRoot ? 'The default settings apply again.' : `The override${where} is removed: ${a.definedAt === null ? 'the default settings' : `the settings of ${describeScope(a.definedAt)}`} apply here again.`);
    } catch (err) { fail(err); } finally { setBusy(false); }
  };

  return (
    <>
      <p><Link to={`/admin/roles/${encodeURIComponent(id)}`}>← {name}: assignments</Link></p>
      <h1>Role settings: {name}</h1>
      <form className="card stack settings-scope" aria-label="Scope of the settings" onSubmit={showScope}>
        <p className="muted">Settings apply per scope: the nearest settings saved at or above a scope govern it. Choose a scope to see or change its own settings.</p>
        <div className="settings-scope-row">
          <ScopeField value={scopeDraft} onChange={setScopeDraft} />
          <button type="submit" className="secondary">Show settings</button>
        </div>
      </form>
      {!atRoot && <h2>Settings at <code>{scope}</code></h2>}
      <ErrorMessage message={loaded.error} onRetry={() => void loaded.reload()} />
      {draft === null && loaded.error === null && <Loading what="the role settings" />}
      {answer !== null && <Source s={answer} />}
      {notice !== null && <Notice>{notice}</Notice>}
      {draft !== null && (
        <form className="stack" noValidate onSubmit={(e) => void save(e)}>
          <Tabs label="Role settings" current={tab} onChange={setTab} tabs={TABS}>
            {tab === 'activation' && <ActivationTab value={draft.activation} onChange={(activation) => setDraft({ ...draft, activation })} />}
            {tab === 'assignment' && <AssignmentTab value={draft.assignment} onChange={(assignment) => setDraft({ ...draft, assignment })} />}
            {tab === 'notification' && (
              <NotificationTab value={draft.notifications} texts={texts} onChange={(notifications) => setDraft({ ...draft, notifications })}
                onText={(k, t) => setTexts((old) => ({ ...old, [k]: t }))} />
            )}
            {error !== null && (error.tab === null || error.tab === tab) && <ErrorMessage message={error.message} />}
          </Tabs>
          {error !== null && error.tab !== null && error.tab !== tab && <ErrorMessage message={`${error.message} (see the ${error.tab} tab)`} />}
          <div className="actions">
            <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
            {atRoot && <button type="button" className="secondary" disabled={busy} onClick={() => setConfirmReset(true)}>Reset to defaults</button>}
            {!atRoot && answer !== null && ownAt(answer) && <button type="button" className="secondary" disabled={busy} onClick={() => setConfirmReset(true)}>Remove this override</button>}
          </div>
        </form>
      )}
      {confirmReset && (
        <Dialog title={atRoot ? 'Reset to defaults?' : 'Remove this override?'} onClose={() => setConfirmReset(false)}>
          <p>
            {atRoot ? <>The settings saved for {name} are removed and the defaults apply again (overrides saved at other scopes stay).</>
              : <>The settings saved for {name} at <code>{scope}</code> are removed; the nearest settings above it apply there again.</>}
            {' '}Requests already made keep the rules they were made under.
          </p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void reset()}>{atRoot ? 'Reset to defaults' : 'Remove override'}</button>
            <button type="button" className="secondary" onClick={() => setConfirmReset(false)}>Cancel</button>
          </div>
        </Dialog>
      )}
    </>
  );
}
