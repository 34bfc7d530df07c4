import { useState, type FormEvent } from 'react';
import { adminApi, type AuditEvent, type AuditQuery } from '../../admin-api.ts';
import { Field } from '../../components/Field.tsx';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { PrincipalPicker, type Picked } from '../../components/PrincipalPicker.tsx';
import { formatDateTime, localInputToIso } from '../../format.ts';
import { useNames } from '../../names.ts';
import { usePaged } from '../../paged.ts';
import type { ApproverRef } from '../../policy.ts';
import { ChainStatus } from './ChainStatus.tsx';
import { useApproverNames } from './settings/approver-names.ts';

const COMMON_ACTIONS = ['schedule.*', 'request.*', 'role.settings.updated', 'group.*', 'user.*', 'auth.*', 'authorization.denied'];

interface Draft { action: string; actor: Picked | null; targetId: string; from: string; to: string; outcome: string }
const EMPTY: Draft = { action: '', actor: null, targetId: '', from: '', to: '', outcome: '' };

function toQuery(d: Draft): AuditQuery {
  return {
    action: d.action.trim() || undefined, actorId: d.actor?.id, targetId: d.targetId.trim() || undefined,
    from: localInputToIso(d.from), to: localInputToIso(d.to), outcome: d.outcome || undefined,
  };
}

/** schedule.eligible.created, allowed to wrap after each dot (a narrow column, no mid-word breaks). */
function dotted(action: string) {
  const parts = action.split('.');
  return parts.map((p, i) => <span key={i}>{p}{i < parts.length - 1 ? <>.<wbr /></> : null}</span>);
}

function Rows({ items }: { items: AuditEvent[] }) {
  const actors = useNames(items.flatMap((e) => (e.actor.id !== null && e.actor.type !== 'system' ? [e.actor.id] : [])), 'principal');
  const roles = useNames(items.flatMap((e) => (e.roleId !== null ? [e.roleId] : [])), 'role');
  const refs: ApproverRef[] = items.flatMap((e) => (e.target !== null && e.target.id !== null && (e.target.type === 'group' || e.target.type === 'user') ? [{ type: e.target.type, id: e.target.id }] : []));
  const targets = useApproverNames(refs);
  const target = (e: AuditEvent) => {
    if (e.target === null || e.target.id === null) return '—';
    const id = e.target.id;
    const name = targets[id] ?? (id.length > 13 ? <span title={id}>{id.slice(0, 8)}…</span> : id);
    return <>{e.target.type ?? ''} {name}</>;
  };
  return (
    <table className="list audit">
      <caption className="sr-only">Audit events</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">Role</th><th scope="col">Outcome</th><th scope="col">Justification</th></tr></thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.id}>
            <td data-label="Time">{formatDateTime(e.at)}</td>
            <th scope="row" data-label="Action"><code>{dotted(e.action)}</code></th>
            <td data-label="Actor">{e.actor.id === null ? e.actor.type : actors[e.actor.id] ?? e.actor.id}</td>
            <td data-label="Target">{target(e)}</td>
            <td data-label="Role">{e.roleId === null ? '—' : roles[e.roleId] ?? e.roleId}</td>
            <td data-label="Outcome">{e.outcome === 'success' ? 'Success' : <span className="error-text">Failure</span>}</td>
            <td data-label="Justification">{e.justification ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** /admin/audit: filters, the events newest first, CSV download with the same filters, chain status. */
export function AuditPage() {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [applied, setApplied] = useState<AuditQuery>({});
  const [choosingActor, setChoosingActor] = useState(false);
  const list = usePaged((cursor) => adminApi.audit(applied, { cursor }), JSON.stringify(applied));
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const apply = (e: FormEvent) => { e.preventDefault(); setApplied(toQuery(draft)); };
  return (
    <>
      <h1>Audit log</h1>
      <ChainStatus />
      <form className="card stack" aria-label="Audit filters" onSubmit={apply}>
        <h2>Filters</h2>
        <div className="grid3">
          <Field label="Action" hint="Exact, or a prefix ending in * (schedule.*).">
            <input value={draft.action} onChange={(e) => set({ action: e.target.value })} list="audit-actions" spellCheck={false} />
          </Field>
          <Field label="Target id"><input value={draft.targetId} onChange={(e) => set({ targetId: e.target.value })} spellCheck={false} /></Field>
          <Field label="Outcome">
            <select value={draft.outcome} onChange={(e) => set({ outcome: e.target.value })}>
              <option value="">Any</option><option value="success">Success</option><option value="failure">Failure</option>
            </select>
          </Field>
          <Field label="From"><input type="datetime-local" value={draft.from} onChange={(e) => set({ from: e.target.value })} /></Field>
          <Field label="To (before)"><input type="datetime-local" value={draft.to} onChange={(e) => set({ to: e.target.value })} /></Field>
        </div>
        <datalist id="audit-actions">{COMMON_ACTIONS.map((a) => <option key={a} value={a} />)}</datalist>
        <div className="actor-filter">
          <span>Actor: <strong>{draft.actor === null ? 'anyone' : `${draft.actor.displayName} (${draft.actor.detail})`}</strong></span>
          <button type="button" className="link" aria-expanded={choosingActor} onClick={() => setChoosingActor(!choosingActor)}>{choosingActor ? 'Done choosing' : 'Choose an actor'}</button>
          {draft.actor !== null && <button type="button" className="link" onClick={() => set({ actor: null })}>Any actor</button>}
        </div>
        {choosingActor && <PrincipalPicker label="Search actors" kinds={['user']} pickLabel="Filter by" onPick={(p) => { set({ actor: p }); setChoosingActor(false); }} />}
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button type="button" className="secondary" onClick={() => { setDraft(EMPTY); setApplied({}); }}>Clear filters</button>
          <a className="button secondary" href={adminApi.auditExportUrl(applied)} download>Download CSV</a>
        </div>
      </form>
      <PagedStatus list={list} what="audit events" empty="No event matches these filters.">
        <Rows items={list.items} />
      </PagedStatus>
    </>
  );
}
