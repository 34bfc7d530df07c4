import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { SessionInfo } from '../../src/contract/auth.ts';
import type { SetupStatus } from '../../src/contract/setup.ts';
import { api, ApiError, setCsrfToken, setSessionLostHandler } from './api.ts';

export type User = SessionInfo['user'];

/** GET /api/v1/auth/session; csrfToken when the server includes it (it may, see api.ts). */
interface CurrentSession { user: User; via: 'session' | 'token'; mfaAt: string | null; csrfToken?: string }

export interface SessionState {
  status: 'loading' | 'signedOut' | 'signedIn';
  user: User | null;
  setupRequired: boolean;
  /** Adopts a session the API just opened or rotated (sign-in, step-up, setup, TOTP confirm). */
  adopt(info: SessionInfo): void;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionState['status']>('loading');
  const [user, setUser] = useState<User | null>(null);
  const [setupRequired, setSetupRequired] = useState(false);

  const refresh = useCallback(async () => {
    const setup = await api.get<SetupStatus>('/api/v1/setup').catch(() => ({ required: false }));
    setSetupRequired(setup.required);
    try {
      const s = await api.get<CurrentSession>('/api/v1/auth/session');
      if (s.csrfToken !== undefined) setCsrfToken(s.csrfToken);
      setUser(s.user);
      setStatus('signedIn');
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.warn('session check failed', err);
      setUser(null);
      setStatus('signedOut');
    }
  }, []);

  useEffect(() => {
    void refresh();
    setSessionLostHandler(() => { setUser(null); setStatus('signedOut'); });
    return () => setSessionLostHandler(null);
  }, [refresh]);

  const adopt = useCallback((info: SessionInfo) => {
    setCsrfToken(info.csrfToken);
    setUser(info.user);
    setSetupRequired(false);
    setStatus('signedIn');
  }, []);

  const signOut = useCallback(async () => {
    try { await api.post('/api/v1/auth/sign-out'); } catch { /* the session may be gone already */ }
    setCsrfToken(null);
    setUser(null);
    setStatus('signedOut');
  }, []);

  const value = useMemo(() => ({ status, user, setupRequired, adopt, signOut, refresh }), [status, user, setupRequired, adopt, signOut, refresh]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user (pages under the shell only render when there is one). */
export function useMe(): User {
  const s = useSession();
  if (s.user === null) throw new Error('useMe without a signed-in user');
  return s.user;
}
