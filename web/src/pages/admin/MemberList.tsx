import { useState } from 'react';
import { adminApi, type Member } from '../../admin-api.ts';
import { messageOf } from '../../api.ts';
import { PagedStatus } from '../../components/PagedStatus.tsx';
import { PrincipalPicker } from '../../components/PrincipalPicker.tsx';
import { ErrorMessage, Notice } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { usePaged } from '../../paged.ts';

/** Members or owners of a group, or members of an administrative unit: list, add, remove. */
export function MemberList({ base, title, noun, kinds, emptyText }: {
  base: string; title: string; noun: string; kinds: ReadonlyArray<'user' | 'group'>; emptyText: string;
}) {
  const [version, setVersion] = useState(0);
  const list = usePaged((cursor) => adminApi.members(base, { cursor }), `${base}:${version}`);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(null); setNotice(null);
    try { await f(); setNotice(done); setVersion((v) => v + 1); } catch (err) { setError(messageOf(err)); }
  };
  const remove = (m: Member) => act(() => adminApi.removeMember(base, m.id), `${m.displayName} is no longer ${noun === 'owner' ? 'an owner' : 'a member'}.`);
  const headingId = `${title.replace(/\W+/g, '-').toLowerCase()}-heading`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {notice !== null && <Notice>{notice}</Notice>}
      <ErrorMessage message={error} />
      <PagedStatus list={list} what={title.toLowerCase()} empty={emptyText}>
        <table className="list">
          <caption className="sr-only">{title}</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Since</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {list.items.map((m) => (
              <tr key={m.id}>
                <th scope="row" data-label="Name">{m.displayName}</th>
                <td data-label="Type">{m.type === 'user' ? 'User' : 'Group'}{m.pim !== undefined ? ` (through PIM${m.pim.endAt !== null ? `, until ${formatDateTime(m.pim.endAt)}` : ''})` : ''}</td>
                <td data-label="Since">{formatDateTime(m.addedAt)}</td>
                <td data-label="Actions" className="row-actions">
                  <button type="button" className="secondary small" aria-label={`Remove ${noun} ${m.displayName}`} onClick={() => void remove(m)}>Remove</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </PagedStatus>
      <PrincipalPicker label={`Add ${noun}: search`} kinds={kinds} exclude={new Set(list.items.map((m) => m.id))} pickLabel={`Add ${noun}`}
        onPick={(p) => void act(() => adminApi.addMember(base, p.id), `${p.displayName} is ${noun === 'owner' ? 'an owner' : 'a member'} now.`)} />
    </section>
  );
}
