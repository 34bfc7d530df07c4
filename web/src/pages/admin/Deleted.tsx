import { useState } from 'react';
import type { Page } from '../../admin-api.ts';
import { messageOf } from '../../api.ts';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { ErrorMessage, Notice } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useAction } from '../../hooks.ts';
import { usePaged } from '../../paged.ts';
import { Link } from '../../router.tsx';

interface Deletable { id: string; displayName: string; deletedAt: string | null }

/** What the API says about soft deletion (PIM-REFERENCE §1.4); it refuses a restore after that. */
export const RETENTION = 'Deleted items can be restored for 30 days (the server\'s retention period); after that the API refuses.';

/** Soft-deleted users, groups or administrative units (`?deleted=true`), each with Restore. */
export function DeletedList<T extends Deletable>({ noun, load, restore, href }: {
  noun: string; load: (cursor: string | null) => Promise<Page<T>>; restore: (id: string) => Promise<unknown>; href: (id: string) => string;
}) {
  const [version, setVersion] = useState(0);
  const list = usePaged(load, `deleted:${version}`);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (item: T) => {
    setNotice(null); setError(null);
    try { await restore(item.id); setNotice(`${item.displayName} is restored.`); setVersion((v) => v + 1); } catch (err) { setError(messageOf(err)); }
  };
  const caption = `Deleted ${noun}`;
  return (
    <>
      <p className="muted">{RETENTION}</p>
      {notice !== null && <Notice>{notice}</Notice>}
      <ErrorMessage message={error} />
      <PagedStatus list={list} what={`deleted ${noun}`} empty={`There are no deleted ${noun}.`}>
        <table className="list">
          <caption className="sr-only">{caption}</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Deleted</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {list.items.map((item) => (
              <tr key={item.id}>
                <th scope="row" data-label="Name"><Link to={href(item.id)}>{item.displayName}</Link></th>
                <td data-label="Deleted">{formatDateTime(item.deletedAt)}</td>
                <td data-label="Actions" className="row-actions">
                  <button type="button" className="secondary small" aria-label={`Restore ${item.displayName}`} onClick={() => void run(item)}>Restore</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </PagedStatus>
    </>
  );
}

/** On a deleted item's own page: when it was deleted, and Restore (the API's refusal shown as is). */
export function DeletedNote({ what, deletedAt, restore, onRestored }: { what: string; deletedAt: string; restore: () => Promise<unknown>; onRestored: () => void }) {
  const { busy, error, run } = useAction();
  const restoreNow = () => run(async () => { await restore(); onRestored(); });
  return (
    <div className="card stack deleted-note">
      <p><span className="badge">Deleted</span> This {what} was deleted on {formatDateTime(deletedAt)}. {RETENTION}</p>
      <ErrorMessage message={error} />
      <div className="actions"><button type="button" disabled={busy} onClick={() => void restoreNow()}>{busy ? 'Restoring…' : `Restore this ${what}`}</button></div>
    </div>
  );
}
