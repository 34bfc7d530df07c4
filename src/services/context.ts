import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Ids } from '../ids.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import type { AccessIndex } from '../store/access-index.ts';
import type { Db, Engine } from '../store/db.ts';
import type { DeniedAuditBudget } from './denied-audit-budget.ts';

/** Who is acting. `system` is the service itself (bootstrap, jobs). */
export interface Actor {
  id: string | null;
  type: 'user' | 'servicePrincipal' | 'system' | 'anonymous';
  tokenId?: string;
  /** Who issued the token, when someone other than its owner did: that person stands behind the call. */
  issuedBy?: string | undefined;
  scopes: readonly string[];
  clientAddress?: string | undefined;
  /** When this caller last proved MFA (sessions, from sign-in). API tokens never carry it. */
  mfaAt?: number | undefined;
  /** How the caller authenticated: a signed-in session (cookie) or an API token. */
  via?: 'session' | 'token' | undefined;
  sessionId?: string | undefined;
  /** When the credential of this call ends (token or session; null: never). A token minted by this caller for itself may not outlive it. */
  credentialExpiresAt?: number | null | undefined;
}

export const SYSTEM_ACTOR: Actor = { id: null, type: 'system', scopes: ['*'] };

/** Everything a use case needs, passed explicitly: no container, no globals. */
export interface Deps {
  db: Db;
  engine: Engine;
  clock: Clock;
  config: Config;
  ids: Ids;
  index: AccessIndex;
  log: Logger;
  /** Seals secrets the server must read back (TOTP seeds). */
  secrets: SecretBox;
  /** Caps the audit rows refused calls write per caller (absent: every refusal is written). */
  deniedAudits?: DeniedAuditBudget;
}

export interface ServiceContext extends Deps {
  actor: Actor;
}

export function withActor(deps: Deps, actor: Actor): ServiceContext {
  return { ...deps, actor };
}
