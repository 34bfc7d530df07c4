import { useState } from 'react';
import { ApiError, messageOf } from '../api.ts';
import { ActivationPanel } from '../components/ActivationPanel.tsx';
import { BundleList, SaveBundleDialog, type BundleTarget } from '../components/Bundles.tsx';
import { myBundles, type Bundle } from '../bundles.ts';
import { RequestChangeDialog } from '../components/RequestChangeDialog.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { describeScope, formatDateTime } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { cancelRequest, myRequests, myRoles, submitRequest, type MyRoles, type PimRequest, type RoleAssignment } from '../requests.ts';
import { Link } from '../router.tsx';
import { useMe } from '../session.tsx';

type Tab = 'eligible' | 'active' | 'expired';
const DAY_MS = 86_400_000;
/** PIM-REFERENCE §1.6: Extend only when at most 14 days are left. */
const EXTEND_WINDOW_MS = 14 * DAY_MS;

const roleOf = (r: RoleAssignment) => r.roleDisplayName ?? r.roleId;
const within = (scope: string, parent: string) => parent === '/' || scope === parent || scope.startsWith(`${parent}/`);

function membership(r: RoleAssignment): string {
  if (r.memberType === 'Group') return `Group: ${r.group?.displayName ?? 'a group'}`;
  if (r.memberType === 'Inherited') return 'Inherited';
  return 'Direct';
}

/** The browser's clock only decides what to offer and how to word it; the API decides what is allowed. */
function nowMs(): number { return Date.now(); }
/** Clocks of browser and server differ a little: only a start well ahead counts as scheduled. */
const CLOCK_SKEW_MS = 5 * 60_000;
const scheduled = (a: RoleAssignment) => Date.parse(a.startAt) > nowMs() + CLOCK_SKEW_MS;

/** My roles: Eligible / Active / Expired, activation (one or several, or a saved bundle), deactivate, extend, renew. */
export function MyRolesPage() {
  const me = useMe();
  const roles = useLoad(myRoles, 'roles');
  const pending = useLoad(() => myRequests(`&principalId=${encodeURIComponent(me.id)}&status=PendingApproval`), me.id);
  const [tab, setTab] = useState<Tab>('eligible');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [panel, setPanel] = useState<RoleAssignment[] | null>(null);
  const bundles = useLoad(myBundles, 'bundles');
  const [panelBundle, setPanelBundle] = useState<{ id: string; name: string; size: number } | null>(null);
  const [savingBundle, setSavingBundle] = useState(false);
  const [change, setChange] = useState<{ row: RoleAssignment; action: 'selfExtend' | 'selfRenew' } | null>(null);
  const [notice, setNotice] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busyRow, setBusyRow] = useState<string | null>(null);

  const refresh = async () => { await Promise.all([roles.reload(), pending.reload()]); };
  const waiting = (pending.data?.items.length ?? 0) > 0;
  // A pending request is decided elsewhere (by an approver): look again every few seconds.
  usePolling(() => void refresh(), 3000, waiting);

  const data: MyRoles | undefined = roles.data;
  const pendingItems = pending.data?.items ?? [];
  const pendingActivation = (r: RoleAssignment) => pendingItems.find((p) => p.action === 'selfActivate' && p.roleId === r.roleId && within(p.scope, r.scope));
  const pendingChange = (r: RoleAssignment) => pendingItems.find((p) => (p.action === 'selfExtend' || p.action === 'selfRenew') && p.targetScheduleId === r.scheduleId);
  const activation = (r: RoleAssignment) => data?.active.find((a) => a.assignmentType === 'Activated' && a.roleId === r.roleId && within(a.scope, r.scope));
  const activatable = (r: RoleAssignment) => pendingActivation(r) === undefined && activation(r) === undefined;
  const extendable = (r: RoleAssignment) => r.assignmentType === 'Assigned' && r.memberType === 'Direct' && r.endAt !== null && Date.parse(r.endAt) - nowMs() <= EXTEND_WINDOW_MS && pendingChange(r) === undefined;
  const renewable = (r: RoleAssignment) => r.assignmentType === 'Assigned' && r.memberType === 'Direct' && r.endReason !== 'removed' && pendingChange(r) === undefined;

  const done = (messages: string[], keepOpen = false) => {
    setNotice(messages);
    setError(null);
    if (!keepOpen) { setPanel(null); setPanelBundle(null); setSelected(new Set()); }
    void refresh();
  };

  const deactivate = async (r: RoleAssignment) => {
    setBusyRow(r.scheduleId);
    setError(null);
    setNotice([]);
    try {
      await submitRequest({ action: 'selfDeactivate', principalId: me.id, roleId: r.roleId, targetScheduleId: r.scheduleId });
      done([`${roleOf(r)} is deactivated.`]);
    } catch (err) {
      const at = err instanceof ApiError && typeof err.details.deactivatableAt === 'string' ? ` You can deactivate it from ${formatDateTime(err.details.deactivatableAt)}.` : '';
      setError(`${messageOf(err)}${at}`);
    } finally {
      setBusyRow(null);
    }
  };

  const cancel = async (p: PimRequest, name: string) => {
    setError(null);
    try { await cancelRequest(p.id); done([`${name}: request canceled.`]); } catch (err) { setError(messageOf(err)); }
  };

  const toggle = (id: string) => setSelected((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const selectedRows = (data?.eligible ?? []).filter((r) => selected.has(r.scheduleId) && activatable(r));

  /** A bundle's items against my eligible rows now (eligibility may have changed since it was saved). */
  const targetsOf = (b: Bundle): BundleTarget[] => b.items.map((it) => {
    const all = [...(data?.eligible ?? []), ...(data?.active ?? []), ...(data?.expired ?? [])];
    const name = all.find((r) => r.roleId === it.roleId)?.roleDisplayName ?? it.roleId;
    const row = (data?.eligible ?? []).find((r) => r.roleId === it.roleId && within(it.scope, r.scope));
    if (row === undefined) return { ...it, name, row: null, why: 'not eligible now' };
    if (pendingActivation(row) !== undefined) return { ...it, name, row: null, why: 'pending approval' };
    if (activation(row) !== undefined) return { ...it, name, row: null, why: 'already active' };
    return { ...it, name, row: { ...row, scope: it.scope }, why: null };
  });
  const activateBundle = (b: Bundle, targets: BundleTarget[]) => {
    setNotice([]);
    setPanelBundle({ id: b.id, name: b.name, size: b.items.length });
    setPanel(targets.flatMap((t) => (t.row === null ? [] : [t.row])));
  };

  const status = (r: RoleAssignment) => {
    const p = pendingActivation(r);
    if (p !== undefined) {
      return <><span className="badge pending">Pending approval</span> <Link to={`/requests/${p.id}`}>View request</Link></>;
    }
    const a = activation(r);
    if (a !== undefined) return <span className="badge active">{scheduled(a) ? `Scheduled from ${formatDateTime(a.startAt)}` : `Active until ${formatDateTime(a.endAt)}`}</span>;
    const c = pendingChange(r);
    if (c !== undefined) return <span className="badge pending">{c.action === 'selfExtend' ? 'Extension' : 'Renewal'} pending approval</span>;
    return <span className="muted">Eligible</span>;
  };

  const rowsOf = (k: Tab) => data?.[k] ?? [];
  return (
    <main id="main">
      <h1>My roles</h1>
      {notice.length > 0 && <Notice>{notice.map((m) => <div key={m}>{m}</div>)}</Notice>}
      <ErrorMessage message={error} />
      <ErrorMessage message={roles.error} onRetry={() => void refresh()} />
      {data === undefined && roles.error === null && <Loading what="your roles" />}
      {data !== undefined && (
        <Tabs label="My roles" current={tab} onChange={setTab}
          tabs={[{ key: 'eligible', label: `Eligible (${data.eligible.length})` }, { key: 'active', label: `Active (${data.active.length})` }, { key: 'expired', label: `Expired (${data.expired.length})` }]}>
          {tab === 'eligible' && selectedRows.length > 0 && (
            <div className="toolbar">
              <button type="button" onClick={() => setPanel(selectedRows)}>Activate selected ({selectedRows.length})</button>
              <button type="button" className="secondary" onClick={() => setSavingBundle(true)}>Save as bundle</button>
              <button type="button" className="secondary" onClick={() => setSelected(new Set())}>Clear selection</button>
            </div>
          )}
          {rowsOf(tab).length === 0
            ? <Empty>{tab === 'eligible' ? 'You are not eligible for any role.' : tab === 'active' ? 'You hold no active role.' : 'No role expired in the last 30 days.'}</Empty>
            : (
              <table className="list">
                <caption className="sr-only">{tab === 'eligible' ? 'Eligible roles' : tab === 'active' ? 'Active roles' : 'Expired roles'}</caption>
                <thead>
                  <tr>
                    {tab === 'eligible' && <th scope="col"><span className="sr-only">Select</span></th>}
                    <th scope="col">Role</th><th scope="col">Scope</th><th scope="col">Membership</th><th scope="col">Start</th><th scope="col">End</th>
                    {tab === 'eligible' && <th scope="col">Status</th>}
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {rowsOf(tab).map((r) => {
                    const p = pendingActivation(r);
                    return (
                      <tr key={r.scheduleId}>
                        {tab === 'eligible' && (
                          <td data-label="Select">
                            <input type="checkbox" aria-label={`Select ${roleOf(r)}`} checked={selected.has(r.scheduleId)} disabled={!activatable(r)} onChange={() => toggle(r.scheduleId)} />
                          </td>
                        )}
                        <th scope="row" data-label="Role">{roleOf(r)}</th>
                        <td data-label="Scope">{describeScope(r.scope)}</td>
                        <td data-label="Membership">{membership(r)}{tab === 'active' && r.assignmentType === 'Activated' ? ' (activated)' : ''}</td>
                        <td data-label="Start">{formatDateTime(r.startAt)}</td>
                        <td data-label="End">{r.endAt === null ? 'Permanent' : formatDateTime(r.endedAt ?? r.endAt)}</td>
                        {tab === 'eligible' && <td data-label="Status">{status(r)}</td>}
                        <td data-label="Actions" className="row-actions">
                          {tab === 'eligible' && activatable(r) && <button type="button" aria-label={`Activate ${roleOf(r)}`} onClick={() => { setNotice([]); setPanel([r]); }}>Activate</button>}
                          {tab === 'eligible' && p !== undefined && <button type="button" className="secondary" aria-label={`Cancel request for ${roleOf(r)}`} onClick={() => void cancel(p, roleOf(r))}>Cancel request</button>}
                          {tab === 'active' && r.assignmentType === 'Activated' && (
                            <button type="button" className="secondary" aria-label={`Deactivate ${roleOf(r)}`} disabled={busyRow === r.scheduleId} onClick={() => void deactivate(r)}>Deactivate</button>
                          )}
                          {tab !== 'expired' && extendable(r) && <button type="button" className="secondary" aria-label={`Extend ${roleOf(r)}`} onClick={() => setChange({ row: r, action: 'selfExtend' })}>Extend</button>}
                          {tab === 'expired' && renewable(r) && <button type="button" className="secondary" aria-label={`Renew ${roleOf(r)}`} onClick={() => setChange({ row: r, action: 'selfRenew' })}>Renew</button>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
        </Tabs>
      )}
      {data !== undefined && (
        <BundleList bundles={bundles} targetsOf={targetsOf} onActivate={activateBundle}
          onDeleted={(b) => { setError(null); setNotice([`Bundle ${b.name} deleted.`]); void bundles.reload(); }} />
      )}
      {panel !== null && (
        <ActivationPanel me={me} rows={panel} {...(panelBundle !== null ? { bundle: panelBundle } : {})}
          onClose={() => { setPanel(null); setPanelBundle(null); }} onDone={done} />
      )}
      {savingBundle && (
        <SaveBundleDialog rows={selectedRows} onClose={() => setSavingBundle(false)}
          onSaved={(b) => { setSavingBundle(false); setSelected(new Set()); setError(null); setNotice([`Bundle ${b.name} saved.`]); void bundles.reload(); }} />
      )}
      {change !== null && <RequestChangeDialog me={me} row={change.row} action={change.action} onClose={() => setChange(null)} onDone={(m) => { setChange(null); done([m]); }} />}
    </main>
  );
}
