import { useEffect, useState } from 'react';
import type { Role } from '../../src/contract/roles.ts';
import { api } from './api.ts';

/** Display names of roles and principals, looked up once per page load. */
const cache = new Map<string, Promise<string>>();

function lookup(key: string, load: () => Promise<string>): Promise<string> {
  let p = cache.get(key);
  if (p === undefined) { p = load(); cache.set(key, p); }
  return p;
}

interface Named { displayName: string; userPrincipalName?: string }

export function roleName(id: string): Promise<string> {
  return lookup(`role:${id}`, () => api.get<Role>(`/api/v1/roles/${encodeURIComponent(id)}`).then((r) => r.displayName, () => id));
}

/** A user ("Name (upn)"), else a service principal, else the id itself. */
export function principalName(id: string): Promise<string> {
  return lookup(`principal:${id}`, async () => {
    try {
      const u = await api.get<Named>(`/api/v1/users/${encodeURIComponent(id)}`);
      return u.userPrincipalName !== undefined ? `${u.displayName} (${u.userPrincipalName})` : u.displayName;
    } catch {
      return api.get<Named>(`/api/v1/servicePrincipals/${encodeURIComponent(id)}`).then((s) => s.displayName, () => id);
    }
  });
}

/** Resolves many ids to names; missing ones show as their id until they arrive. */
export function useNames(ids: readonly string[], kind: 'role' | 'principal'): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    let live = true;
    const list = key === '' ? [] : key.split(',');
    void Promise.all(list.map(async (id) => [id, await (kind === 'role' ? roleName(id) : principalName(id))] as const)).then((pairs) => {
      if (live) setNames(Object.fromEntries(pairs));
    });
    return () => { live = false; };
  }, [key, kind]);
  return names;
}
