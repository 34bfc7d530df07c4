import assert from 'node:assert/strict';
import { totpNow } from '../../src/auth/totp.ts';
import { DeliveryWorker } from '../../src/delivery/worker.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, group, userWithToken } from './factories.ts';
import type { Api, Harness } from './harness.ts';
import { Browser } from './session.ts';

export const SEED_PASSWORD = 'an accessible portal passphrase';

export interface PortalSeed {
  /** A plain user with a password and an authenticator app: eligible, active, one request pending. */
  alice: { id: string; upn: string; secret: string; api: Api };
  /** A user without roles (for the Add assignments wizard to pick). */
  bobId: string;
  /** A role-assignable group, eligible for User Administrator, with alice in it. */
  helpdesk: string;
  /** An administrative unit with alice in it. */
  unit: string;
  /** Alice's activation of User Administrator, waiting for the approvers group. */
  request: string;
  /** The worker that kept the mails and tried the webhook (stop it when done). */
  worker: DeliveryWorker;
}

/**
 * Something on every page of the portal, made through the API as an administrator would
 * (`adminId` joins the approvers): users, groups, an administrative unit, User Administrator
 * settings that ask for approval, eligible and active assignments, a pending request, a webhook
 * nobody answers, and the mails that the delivery worker keeps (no SMTP server).
 */
export async function seedPortal(h: Harness, admin: Api, adminId: string): Promise<PortalSeed> {
  // Port 9 on loopback refuses at once: the webhook's deliveries show as pending with an error.
  const hook = await admin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/hooks/pim', events: ['openpim.request.*'], description: 'SIEM' });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));

  const u = await userWithToken(admin, 'alice@example.com');
  assert.equal((await admin.post(`/api/v1/users/${u.id}/password`, { password: SEED_PASSWORD })).status, 204);
  const b = new Browser(h.app);
  await b.signIn(u.upn, SEED_PASSWORD);
  const e = await b.post('/api/v1/me/mfa/totp', {});
  assert.equal((await b.post(`/api/v1/me/mfa/totp/${e.body.id}/confirm`, { code: await totpNow(e.body.secret, h.clock.nowMs()) })).status, 200);
  const bob = await userWithToken(admin, 'bob@example.com');

  const approvers = await group(admin, false, 'PIM approvers');
  assert.equal((await admin.post(`/api/v1/groups/${approvers}/members`, { id: adminId })).status, 201);
  const helpdesk = await group(admin, true, 'Helpdesk leads');
  assert.equal((await admin.post(`/api/v1/groups/${helpdesk}/members`, { id: u.id })).status, 201);
  const unit = await admin.post('/api/v1/administrativeUnits', { displayName: 'Finance' });
  assert.equal(unit.status, 201, JSON.stringify(unit.body));
  assert.equal((await admin.post(`/api/v1/administrativeUnits/${unit.body.id}/members`, { id: u.id })).status, 201);

  const settings = await admin.patch(`/api/v1/roles/${ROLE.userAdministrator}/settings`, {
    activation: { maximumDuration: 'PT5H', requireMfa: false, requireJustification: true, requireApproval: true, approvalStages: [{ approvers: [{ type: 'group', id: approvers }], requiredApprovals: 1, escalation: null }] },
  });
  assert.equal(settings.status, 200, JSON.stringify(settings.body));
  await assign(admin, u.id, ROLE.userAdministrator, { kind: 'eligible', permanent: true });
  await assign(admin, helpdesk, ROLE.userAdministrator, { kind: 'eligible', duration: 'P90D' });
  await assign(admin, u.id, ROLE.securityReader, { kind: 'eligible', permanent: true });
  await assign(admin, u.id, ROLE.globalReader, { kind: 'active', duration: 'P30D' });

  const req = await u.api.post('/api/v1/requests', {
    action: 'selfActivate', principalId: u.id, roleId: ROLE.userAdministrator, scope: '/', schedule: { duration: 'PT2H' }, justification: 'Password resets for new hires',
  });
  assert.equal(req.status, 201, JSON.stringify(req.body));
  assert.equal(req.body.status, 'PendingApproval');

  const worker = new DeliveryWorker(h.system);
  await worker.tick();
  return { alice: { id: u.id, upn: u.upn, secret: e.body.secret, api: u.api }, bobId: bob.id, helpdesk, unit: unit.body.id, request: req.body.id, worker };
}
