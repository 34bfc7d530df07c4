import { useEffect, useState } from 'react';
import { adminApi } from '../../../admin-api.ts';
import type { ApproverRef } from '../../../policy.ts';

const cache = new Map<string, Promise<string>>();

function nameOf(ref: ApproverRef): Promise<string> {
  const key = `${ref.type}:${ref.id}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = ref.type === 'user'
      ? adminApi.user(ref.id).then((u) => `${u.displayName} (${u.userPrincipalName})`, () => ref.id)
      : adminApi.group(ref.id).then((g) => `${g.displayName} (group)`, () => `${ref.id} (group)`);
    cache.set(key, p);
  }
  return p;
}

/** Remembers a name the picker already knows, so a just-added approver shows at once. */
export function rememberName(ref: ApproverRef, name: string): void {
  cache.set(`${ref.type}:${ref.id}`, Promise.resolve(name));
}

/** Names of approvers (users and groups), looked up once per page load. */
export function useApproverNames(refs: ApproverRef[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = refs.map((r) => `${r.type}:${r.id}`).sort().join(',');
  useEffect(() => {
    let live = true;
    const list = key === '' ? [] : key.split(',');
    void Promise.all(list.map(async (k) => {
      const [type, ...rest] = k.split(':');
      const id = rest.join(':');
      return [id, await nameOf({ type: type === 'group' ? 'group' : 'user', id })] as const;
    })).then((pairs) => { if (live) setNames(Object.fromEntries(pairs)); });
    return () => { live = false; };
  }, [key]);
  return names;
}
