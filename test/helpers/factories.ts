import { randomUUID } from 'node:crypto';
import type { Api, Harness } from './harness.ts';
import { insertLongToken } from './direct.ts';
import assert from 'node:assert/strict';

let n = 0;
const uniq = () => `${randomUUID().slice(0, 8)}${(n++).toString(36)}`;

/** A user created through the API, with a personal token issued by the administrator. */
export async function userWithToken(admin: Api, upn?: string, scopes: string[] = ['api']): Promise<{ id: string; upn: string; token: string; api: Api }> {
  const name = upn ?? `user-${uniq()}@example.com`;
  const u = await admin.post('/api/v1/users', { userPrincipalName: name, displayName: name.split('@')[0] });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const t = await admin.post('/api/v1/tokens', { name: 'test', ownerId: u.body.id, scopes });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  return { id: u.body.id, upn: name, token: t.body.token, api: admin.as(t.body.token) };
}

export async function group(admin: Api, roleAssignable = true, displayName = `group-${uniq()}`): Promise<string> {
  const g = await admin.post('/api/v1/groups', { displayName, roleAssignable });
  assert.equal(g.status, 201, JSON.stringify(g.body));
  return g.body.id;
}

export interface AssignOpts { kind?: 'eligible' | 'active'; scope?: string; duration?: string; endAt?: string; permanent?: boolean; startAt?: string; justification?: string }

/** adminAssign through POST /api/v1/requests; returns the request body. */
export async function assign(admin: Api, principalId: string, roleId: string, o: AssignOpts = {}) {
  const schedule = o.duration || o.endAt ? { ...(o.duration ? { duration: o.duration } : {}), ...(o.endAt ? { endAt: o.endAt } : {}) } : { permanent: o.permanent ?? true };
  const r = await admin.post('/api/v1/requests', {
    action: 'adminAssign', kind: o.kind ?? 'active', principalId, roleId, scope: o.scope ?? '/',
    schedule: { ...schedule, ...(o.startAt ? { startAt: o.startAt } : {}) }, justification: o.justification ?? 'test assignment',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

/**
 * For tests that move the clock by months: an administrator client and a check caller whose
 * tokens last a year (the bootstrap token and default tokens expire sooner).
 */
export async function longLivedClients(h: Harness & { admin: Api; adminId: string }): Promise<{ admin: Api; checker: { api: Api } }> {
  const longAdmin = h.admin.as(await insertLongToken(h, h.adminId));
  const c = await userWithToken(longAdmin, undefined, ['check']);
  const t = await longAdmin.post('/api/v1/tokens', { name: 'check', ownerId: c.id, scopes: ['check'], expiresInDays: 365 });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  return { admin: longAdmin, checker: { api: longAdmin.as(t.body.token) } };
}
