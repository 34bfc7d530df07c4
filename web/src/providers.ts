import { useEffect, useState } from 'react';
import { api } from './api.ts';

/** GET /api/v1/auth/providers (the route's own schema; not in src/contract yet). */
export interface Providers { password: true; oidc: { enabled: boolean; startUrl: string | null } }

let cached: Promise<Providers> | null = null;

export function useProviders(): Providers | null {
  const [p, setP] = useState<Providers | null>(null);
  useEffect(() => {
    let live = true;
    cached ??= api.get<Providers>('/api/v1/auth/providers');
    cached.then((v) => { if (live) setP(v); }, () => { cached = null; });
    return () => { live = false; };
  }, []);
  return p;
}
