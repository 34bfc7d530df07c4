import { useEffect, useState } from 'react';
import { adminApi } from '../admin-api.ts';
import { messageOf } from '../api.ts';
import { Field } from './Field.tsx';
import { ErrorMessage } from './Status.tsx';

export interface Picked { id: string; type: 'user' | 'group'; displayName: string; detail: string }

interface Props {
  label: string;
  kinds: ReadonlyArray<'user' | 'group'>;
  /** Only role-assignable groups (the ones that can hold roles). */
  roleAssignableOnly?: boolean;
  exclude?: ReadonlySet<string>;
  pickLabel?: string;
  onPick: (p: Picked) => void;
}

const LIMIT = 8;

/** Searches users and/or groups as you type and offers each hit with a button. */
export function PrincipalPicker({ label, kinds, roleAssignableOnly = false, exclude, pickLabel = 'Add', onPick }: Props) {
  const [text, setText] = useState('');
  const [hits, setHits] = useState<Picked[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const wantUsers = kinds.includes('user');
  const wantGroups = kinds.includes('group');

  useEffect(() => {
    let live = true;
    const search = text.trim();
    const t = window.setTimeout(() => {
      const users = wantUsers ? adminApi.users({ search, limit: LIMIT }) : Promise.resolve({ items: [], nextCursor: null });
      const groups = wantGroups ? adminApi.groups({ search, limit: LIMIT, ...(roleAssignableOnly ? { roleAssignable: true } : {}) }) : Promise.resolve({ items: [], nextCursor: null });
      Promise.all([users, groups]).then(([u, g]) => {
        if (!live) return;
        setError(null);
        setHits([
          ...u.items.filter((x) => x.enabled).map((x): Picked => ({ id: x.id, type: 'user', displayName: x.displayName, detail: x.userPrincipalName })),
          ...g.items.map((x): Picked => ({ id: x.id, type: 'group', displayName: x.displayName, detail: x.roleAssignable ? 'role-assignable group' : 'group' })),
        ]);
      }, (err: unknown) => { if (live) setError(messageOf(err)); });
    }, 250);
    return () => { live = false; window.clearTimeout(t); };
  }, [text, wantUsers, wantGroups, roleAssignableOnly]);

  const shown = (hits ?? []).filter((h) => exclude?.has(h.id) !== true);
  const what = wantUsers && wantGroups ? 'users and groups' : wantUsers ? 'users' : 'groups';
  return (
    <div className="picker">
      <Field label={label} hint={`Type the start of a name to search ${what}.`}>
        <input type="search" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" spellCheck={false} />
      </Field>
      <ErrorMessage message={error} />
      {hits !== null && (
        <ul className="plain picker-results" aria-label={`Search results for ${label.toLowerCase()}`}>
          {shown.length === 0 && <li className="muted">{(hits ?? []).length === 0 ? 'Nothing found.' : 'No more matches.'}</li>}
          {shown.map((h) => (
            <li key={h.id}>
              <span>{h.displayName} <span className="muted">({h.detail})</span></span>
              <button type="button" className="secondary small" aria-label={`${pickLabel} ${h.displayName}`} onClick={() => onPick(h)}>{pickLabel}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
