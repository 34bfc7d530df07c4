import { useState, type FormEvent } from 'react';
import { deleteBundle, saveBundle, type Bundle } from '../bundles.ts';
import { useAction, type Loaded } from '../hooks.ts';
import { describeScope } from '../format.ts';
import type { RoleAssignment } from '../requests.ts';
import { Dialog } from './Dialog.tsx';
import { FormActions } from './FormActions.tsx';
import { Empty, ErrorMessage, Loading } from './Status.tsx';

const roleOf = (r: RoleAssignment) => r.roleDisplayName ?? r.roleId;

/** One bundle item against my eligible rows: the row to activate (with the item's scope), or why not. */
export interface BundleTarget { roleId: string; scope: string; name: string; row: RoleAssignment | null; why: string | null }

/** "Save selection as bundle": a name and an optional description for the selected eligible rows. */
export function SaveBundleDialog({ rows, onClose, onSaved }: { rows: RoleAssignment[]; onClose: () => void; onSaved: (b: Bundle) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      onSaved(await saveBundle({
        name: name.trim(), ...(description.trim() !== '' ? { description: description.trim() } : {}),
        items: rows.map((r) => ({ roleId: r.roleId, scope: r.scope })),
      }));
    });
  };
  return (
    <Dialog title="Save as bundle" onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <ul className="plain" aria-label="Roles in the bundle">
          {rows.map((r) => <li key={r.scheduleId}>{roleOf(r)} <span className="muted">({describeScope(r.scope)})</span></li>)}
        </ul>
        <label>Bundle name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus placeholder="On-call" />
        </label>
        <label>Description (optional)
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} rows={2} />
        </label>
        <ErrorMessage message={error} />
        <FormActions busy={busy} label="Save bundle" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** My bundles, each with the roles it holds, Activate (the activation panel for its rows) and Delete. */
export function BundleList({ bundles, targetsOf, onActivate, onDeleted }: {
  bundles: Loaded<{ items: Bundle[] }>;
  targetsOf: (b: Bundle) => BundleTarget[];
  onActivate: (b: Bundle, targets: BundleTarget[]) => void;
  onDeleted: (b: Bundle) => void;
}) {
  const [deleting, setDeleting] = useState<Bundle | null>(null);
  const { busy, error, setError, run } = useAction();
  const items = bundles.data?.items ?? [];

  const remove = (b: Bundle) => run(async () => {
    await deleteBundle(b.id);
    setDeleting(null);
    onDeleted(b);
  });

  return (
    <section className="card bundles" aria-labelledby="bundles-title">
      <h2 id="bundles-title">My bundles</h2>
      {bundles.data === undefined && bundles.error === null && <Loading what="your bundles" />}
      <ErrorMessage message={bundles.error} onRetry={() => void bundles.reload()} />
      {bundles.data !== undefined && items.length === 0 && (
        <Empty>No bundles yet. Select eligible roles below and choose “Save as bundle” to activate them together next time.</Empty>
      )}
      {items.length > 0 && (
        <ul className="plain bundle-list">
          {items.map((b) => {
            const targets = targetsOf(b);
            const ready = targets.filter((t) => t.row !== null);
            return (
              <li key={b.id} className="bundle" aria-label={`Bundle ${b.name}`}>
                <div className="bundle-head">
                  <h3>{b.name}</h3>
                  <div className="actions">
                    <button type="button" aria-label={`Activate bundle ${b.name}`} disabled={ready.length === 0} onClick={() => onActivate(b, targets)}>Activate</button>
                    <button type="button" className="secondary" aria-label={`Delete bundle ${b.name}`} onClick={() => { setError(null); setDeleting(b); }}>Delete</button>
                  </div>
                </div>
                {b.description !== null && <p className="muted">{b.description}</p>}
                <ul className="plain">
                  {targets.map((t) => (
                    <li key={`${t.roleId} ${t.scope}`}>{t.name} <span className="muted">({describeScope(t.scope)})</span>{t.why !== null && <span className="muted"> — {t.why}</span>}</li>
                  ))}
                </ul>
              </li>
            );
          })}
        </ul>
      )}
      {deleting !== null && (
        <Dialog title={`Delete bundle ${deleting.name}?`} onClose={() => setDeleting(null)}>
          <div className="stack">
            <p>The bundle goes; your roles and eligibility stay as they are.</p>
            <ErrorMessage message={error} />
            <div className="actions">
              <button type="button" className="danger" disabled={busy} onClick={() => void remove(deleting)}>Delete</button>
              <button type="button" className="secondary" onClick={() => setDeleting(null)}>Cancel</button>
            </div>
          </div>
        </Dialog>
      )}
    </section>
  );
}
