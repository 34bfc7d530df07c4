import { hashToken, TOKEN_PREFIX } from '../auth/tokens.ts';
import { unauthenticated } from '../domain/errors.ts';
import type { Actor, Deps } from './context.ts';
import { withActor } from './context.ts';
import { recordDenied } from './authorize.ts';

/** Resolves a bearer token to an actor from the in-memory index (no database round trip on the hot path). */
export async function authenticateBearer(deps: Deps, authorization: string | undefined, clientAddress: string): Promise<Actor> {
  if (authorization === undefined || authorization === '') return { id: null, type: 'anonymous', scopes: [], clientAddress };
  const m = /^Bearer\s+(\S+)$/i.exec(authorization);
  const token = m?.[1];
  const wellFormed = token !== undefined && token.startsWith(TOKEN_PREFIX) && token.length < 200;
  let state = wellFormed ? deps.index.token(hashToken(token)) : undefined;
  // A token issued a moment ago on this node, or on another one (pim bootstrap, a second
  // server), reaches the index with the next sync: catch up once before refusing it.
  if (wellFormed && state === undefined) {
    await deps.index.sync();
    state = deps.index.token(hashToken(token));
  }
  const now = deps.clock.nowMs();
  const owner = state ? deps.index.principal(state.ownerId) : undefined;
  if (!state || state.revokedAt !== null || (state.expiresAt !== null && state.expiresAt <= now) || !owner || owner.deleted || !owner.enabled) {
    await recordDenied(withActor(deps, { id: state?.ownerId ?? null, type: 'anonymous', scopes: [], clientAddress }), 'authenticate', 'invalid_token');
    throw unauthenticated('auth.invalid_token', 'The API token is unknown, expired, revoked, or its owner is disabled.');
  }
  return { id: state.ownerId, type: state.ownerType, tokenId: state.id, scopes: state.scopes, clientAddress, via: 'token', credentialExpiresAt: state.expiresAt, ...(state.createdBy !== null && state.createdBy !== state.ownerId ? { issuedBy: state.createdBy } : {}) };
}
