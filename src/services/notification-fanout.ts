import { renderMail, type MailFacts, type MessageKind } from '../domain/mail-messages.ts';
import { assignedSection, planMails, type Intended } from '../domain/notification-plan.ts';
import { defaultPolicy, type RolePolicy } from '../domain/policy.ts';
import { cloudEvent, eventMatches, publicEventType, slackMessage, type EventDescription } from '../domain/webhook-payload.ts';
import type { DeliveriesTable, OutboxTable, RequestsTable, SchedulesTable, WebhooksTable } from '../store/schema.ts';
import { defaultApprovers, resolveApprovers, resolveStage, stagesOf, type Reader } from './approvers.ts';
import type { ServiceContext } from './context.ts';
import { claim } from './due-schedules.ts';
import { optedOutAddresses } from './mail-preferences.ts';
import { activeWebhooks } from './webhooks.ts';
import { effectivePolicy } from './role-settings.ts';
import { inTransaction } from './transaction.ts';

/**
 * Turns outbox events into deliveries: for each event, the mails PIM-REFERENCE §2.3 calls for,
 * after the role's notification settings, one delivery row per message and address. The
 * event row is marked done in the same transaction, and every delivery has an idempotency key
 * (event, message, address), so a crash or a second node can never make a mail twice.
 * With no SMTP configured, mails are kept (status `kept`) for administrators to read.
 */
export async function fanOutEvents(ctx: ServiceContext, batch = 200): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const events = await claim(ctx, tx.db.selectFrom('outbox').selectAll().where('status', '=', 'pending')
      .where('next_attempt_at', '<=', tx.nowMs).orderBy('created_at').limit(batch)).execute() as OutboxTable[];
    if (events.length === 0) return 0;
    // Read once per batch, not per event: the subscriptions cannot change inside this transaction's view.
    const hooks = await activeWebhooks(tx.db);
    const r: BatchReader = { db: tx.db, nowMs: tx.nowMs, memo: new Map() };
    const deliveries: NewDelivery[] = [];
    for (const e of events) deliveries.push(...await deliveriesFor(ctx, r, e, hooks));
    // Written in a few multi-row statements: on PostgreSQL each statement is a round trip.
    for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
      await tx.db.insertInto('deliveries').values(deliveries.slice(i, i + INSERT_CHUNK)).onConflict((oc) => oc.column('idempotency_key').doNothing()).execute();
    }
    // `sent` for an event: handed on to its deliveries.
    await tx.db.updateTable('outbox').set((eb) => ({ status: 'sent', sent_at: tx.nowMs, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', events.map((e) => e.id)).execute();
    return events.length;
  });
}

/** Delivery rows per INSERT: 19 columns each stays far below either engine's bound-parameter limit. */
const INSERT_CHUNK = 100;

/**
 * A reader for one batch: role and principal names and the administrators' addresses are read
 * once per batch (they cannot change inside its transaction; a batch of 200 events often names
 * the same few roles and mails the same administrators).
 */
interface BatchReader extends Reader { memo: Map<string, Promise<unknown>> }

function memo<T>(r: Reader, key: string, read: () => Promise<T>): Promise<T> {
  if (!('memo' in r)) return read();
  const m = (r as BatchReader).memo;
  const hit = m.get(key) as Promise<T> | undefined;
  if (hit !== undefined) return hit;
  const p = read();
  m.set(key, p);
  return p;
}

type NewDelivery = DeliveriesTable;

async function deliveriesFor(ctx: ServiceContext, r: BatchReader, e: OutboxTable, hooks: readonly WebhooksTable[]): Promise<NewDelivery[]> {
  const payload = JSON.parse(e.payload) as Record<string, unknown>;
  const out = await webhookDeliveries(ctx, r, e, payload, hooks);
  const event = await intendedMails(r, e.event_type, payload);
  if (event === null) return out;
  const planned = planMails(event.intended, event.policy, ctx.config.delivery.maxRecipients);
  const kept = ctx.config.delivery.smtpUrl === null;
  // Users who turned informational mail off get only mail that asks them to act.
  const optedOut = await optedOutAddresses(r.db, planned.filter((p) => !p.critical).flatMap((p) => p.to));
  for (const p of planned) {
    const mail = renderMail(p.kind, event.facts, ctx.config.publicUrl);
    for (const to of p.to) {
      if (!p.critical && optedOut.has(to.toLowerCase())) continue;
      out.push({
        id: ctx.ids.uuid(), event_id: e.id, event_type: e.event_type, channel: 'mail', recipient: to,
        idempotency_key: `${e.idempotency_key}|${p.kind}|${to.toLowerCase()}`,
        subject: mail.subject, body_text: mail.text, body_html: mail.html, critical: p.critical ? 1 : 0,
        status: kept ? 'kept' : 'pending', attempts: 0, next_attempt_at: r.nowMs, claimed_until: null,
        give_up_at: e.created_at + ctx.config.delivery.giveUpHours * 3_600_000, last_error: null, created_at: r.nowMs, sent_at: null,
      });
    }
  }
  return out;
}

/**
 * One delivery per subscription whose filter takes the event: the body (CloudEvents JSON or a
 * Slack message) is fixed here, so every retry sends the same bytes; the signature is made
 * at each send (its timestamp must be fresh).
 */
async function webhookDeliveries(ctx: ServiceContext, r: Reader, e: OutboxTable, payload: Record<string, unknown>, hooks: readonly WebhooksTable[]): Promise<NewDelivery[]> {
  if (hooks.length === 0) return [];
  const description = await describeEvent(r, e, payload);
  const out: NewDelivery[] = [];
  for (const h of hooks) {
    if (!eventMatches(JSON.parse(h.events) as string[], description.type)) continue;
    const body = h.format === 'slack' ? slackMessage(description, ctx.config.publicUrl) : cloudEvent(description, ctx.config.publicUrl);
    out.push({
      id: ctx.ids.uuid(), event_id: e.id, event_type: e.event_type, channel: 'webhook', recipient: h.id,
      idempotency_key: `${e.idempotency_key}|webhook|${h.id}`, subject: description.type, body_text: body, body_html: null, critical: 0,
      status: 'pending', attempts: 0, next_attempt_at: r.nowMs, claimed_until: null,
      give_up_at: e.created_at + ctx.config.delivery.giveUpHours * 3_600_000, last_error: null, created_at: r.nowMs, sent_at: null,
    });
  }
  return out;
}

/** The event as webhooks see it: its public type, what it is about, and the facts. */
async function describeEvent(r: Reader, e: OutboxTable, p: Record<string, unknown>): Promise<EventDescription> {
  const refs: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(p)) if (typeof v === 'string' || typeof v === 'number' || v === null) refs[k] = v;
  const base = { id: e.id, time: e.created_at, refs };
  if (e.event_type.startsWith('request.')) {
    const req = await requestRow(r, str(p.requestId));
    if (!req) return { ...base, type: publicEventType(e.event_type, p), subject: `requests/${str(p.requestId) ?? ''}`, facts: null };
    const facts = await requestFacts(r, req);
    if (typeof p.approverId === 'string') facts.actorName = await nameOf(r, p.approverId);
    if (typeof p.justification === 'string') facts.decisionJustification = p.justification;
    return { ...base, type: publicEventType(e.event_type, p), subject: `requests/${req.id}`, facts, refs: { ...refs, principalId: req.principal_id, roleId: req.role_id, status: req.status } };
  }
  if (!e.event_type.startsWith('schedule.')) return { ...base, type: publicEventType(e.event_type, p), subject: e.event_type === 'delivery.failed' ? `deliveries/${str(p.deliveryId) ?? ''}` : e.event_type, facts: null };
  const s = await scheduleRow(r, str(p.scheduleId));
  if (!s) return { ...base, type: publicEventType(e.event_type, { assignmentType: typeof p.assignmentType === 'string' ? p.assignmentType : null }), subject: `schedules/${str(p.scheduleId) ?? ''}`, facts: null };
  return {
    ...base, type: publicEventType(e.event_type, { assignmentType: s.assignment_type }), subject: `schedules/${s.id}`, facts: await scheduleFacts(r, s),
    refs: { ...refs, principalId: s.principal_id, roleId: s.role_id, requestId: s.created_by_request_id },
  };
}

interface EventMails { facts: MailFacts; policy: RolePolicy; intended: Intended[] }

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The messages an event calls for, with their default recipients; null when it mails nobody. */
async function intendedMails(r: Reader, type: string, p: Record<string, unknown>): Promise<EventMails | null> {
  switch (type) {
    case 'request.awaiting': {
      const req = await requestRow(r, str(p.requestId));
      if (!req || req.status !== 'PendingApproval' || req.policy === null) return null;
      const policy = JSON.parse(req.policy) as RolePolicy;
      const stage = stagesOf(policy)[typeof p.stage === 'number' ? p.stage : 0];
      const approvers = stage === undefined ? [] : await approverAddresses(r, req, (await resolveStage(r, stage)).approvers);
      const extending = req.action === 'selfExtend' || req.action === 'selfRenew';
      const kind: MessageKind = extending ? 'extension.requested' : 'approval.requested';
      return { facts: await requestFacts(r, req), policy, intended: [{ kind, section: extending ? assignedSection(req.kind) : 'activated', audience: 'approver', defaults: approvers }] };
    }
    case 'request.escalated': {
      const req = await requestRow(r, str(p.requestId));
      if (!req || req.status !== 'PendingApproval' || req.policy === null) return null;
      const ids = Array.isArray(p.approvers) ? p.approvers.filter((x): x is string => typeof x === 'string') : [];
      return { facts: await requestFacts(r, req), policy: JSON.parse(req.policy) as RolePolicy, intended: [{ kind: 'approval.escalated', section: 'activated', audience: 'approver', defaults: await approverAddresses(r, req, new Set(ids)) }] };
    }
    case 'request.decided':
    case 'request.canceled':
    case 'request.expired': {
      const req = await requestRow(r, str(p.requestId));
      if (!req) return null;
      const policy = req.policy !== null ? JSON.parse(req.policy) as RolePolicy : (await effectivePolicy(r, req.role_id, req.scope)).policy;
      const facts = await requestFacts(r, req);
      const approverId = str(p.approverId);
      if (approverId !== undefined) facts.actorName = await nameOf(r, approverId);
      if (typeof p.justification === 'string') facts.decisionJustification = p.justification;
      const kind: MessageKind = type === 'request.decided' ? (p.decision === 'deny' ? 'request.denied' : 'request.approved') : type === 'request.canceled' ? 'request.canceled' : 'request.expired';
      const section = req.action === 'selfExtend' || req.action === 'selfRenew' ? assignedSection(req.kind) : 'activated';
      // The other approvers learn that nothing more is needed from them.
      const stage = req.approval_stage === null ? undefined : stagesOf(policy)[req.approval_stage];
      const approvers = new Set(stage === undefined ? [] : (await resolveStage(r, stage)).approvers);
      if (approverId !== undefined) approvers.delete(approverId);
      return {
        facts, policy, intended: [
          { kind, section, audience: 'assignee', defaults: await requesterAddresses(r, req) },
          { kind: type === 'request.decided' ? 'request.completed' : kind, section, audience: 'approver', defaults: await approverAddresses(r, req, approvers) },
        ],
      };
    }
    case 'schedule.created': {
      const s = await scheduleRow(r, str(p.scheduleId));
      if (!s) return null;
      const policy = (await effectivePolicy(r, s.role_id, s.scope)).policy;
      const req = await requestRow(r, str(p.requestId) ?? s.created_by_request_id ?? undefined);
      const facts = { ...(await scheduleFacts(r, s)), ...(req ? { requestId: req.id, action: req.action, justification: req.justification, ticket: ticketOf(req) } : {}) };
      const assignee = await principalAddresses(r, s.principal_id, s.principal_type);
      const admins = await adminAddresses(r);
      if (s.assignment_type === 'Activated') {
        return { facts, policy, intended: [
          { kind: 'activation.alert', section: 'activated', audience: 'admin', defaults: admins },
          { kind: 'activation.notice', section: 'activated', audience: 'assignee', defaults: assignee },
        ] };
      }
      if (req) facts.actorName = await nameOf(r, req.created_by);
      return { facts, policy, intended: [
        { kind: 'assignment.alert', section: assignedSection(s.kind), audience: 'admin', defaults: admins },
        { kind: 'assignment.notice', section: assignedSection(s.kind), audience: 'assignee', defaults: assignee },
      ] };
    }
    case 'schedule.expiring':
    case 'schedule.expired': {
      const s = await scheduleRow(r, str(p.scheduleId));
      // Activations simply end; reminders are about assignments (PIM-REFERENCE §3.4).
      if (!s || s.assignment_type !== 'Assigned') return null;
      const policy = (await effectivePolicy(r, s.role_id, s.scope)).policy;
      const facts: MailFacts = { ...(await scheduleFacts(r, s)), daysLeft: type === 'schedule.expired' ? 0 : p.reminder === '1d' ? 1 : 14 };
      return { facts, policy, intended: [
        { kind: 'expiry.reminder', section: assignedSection(s.kind), audience: 'assignee', defaults: await principalAddresses(r, s.principal_id, s.principal_type) },
        { kind: 'expiry.alert', section: assignedSection(s.kind), audience: 'admin', defaults: await adminAddresses(r) },
      ] };
    }
    case 'schedule.extended': {
      const s = await scheduleRow(r, str(p.scheduleId));
      if (!s || s.assignment_type !== 'Assigned') return null;
      const policy = (await effectivePolicy(r, s.role_id, s.scope)).policy;
      const req = await requestRow(r, str(p.requestId));
      const facts: MailFacts = { ...(await scheduleFacts(r, s)), ...(typeof p.endAt === 'string' ? { endAt: Date.parse(p.endAt) } : {}), ...(req ? { requestId: req.id, justification: req.justification, ticket: ticketOf(req), actorName: await nameOf(r, req.created_by) } : {}) };
      // An administrator's direct extension: the other administrators and the assignee hear of it.
      return { facts, policy, intended: [
        { kind: 'assignment.extended', section: assignedSection(s.kind), audience: 'admin', defaults: await adminAddresses(r) },
        { kind: 'assignment.extended', section: assignedSection(s.kind), audience: 'assignee', defaults: await principalAddresses(r, s.principal_id, s.principal_type) },
      ] };
    }
    case 'digest.weekly': {
      const from = typeof p.from === 'number' ? p.from : 0;
      const to = typeof p.to === 'number' ? p.to : r.nowMs;
      const d = await weeklyDigest(r, from, to);
      // Not one role's event: no role's notification settings apply; the administrators get it.
      return { facts: d, policy: defaultPolicy(), intended: [{ kind: 'digest.weekly', section: 'activated', audience: 'admin', defaults: await adminAddresses(r) }] };
    }
    case 'delivery.failed': {
      // Not one role's event: the administrators get it, whatever any role's settings say.
      return { facts: await failedDeliveries(r), policy: defaultPolicy(), intended: [{ kind: 'delivery.failed', section: 'activated', audience: 'admin', defaults: await adminAddresses(r) }] };
    }
    default:
      return null;
  }
}

/** What the failed-deliveries alert lists: how many wait for a retry, and the latest few. */
async function failedDeliveries(r: Reader): Promise<MailFacts> {
  const count = Number((await r.db.selectFrom('deliveries').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'failed').executeTakeFirst())?.n ?? 0);
  const latest = await r.db.selectFrom('deliveries').select(['channel', 'recipient', 'subject', 'last_error']).where('status', '=', 'failed')
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(5).execute();
  const rows: Array<[string, string]> = [['Failed deliveries waiting for a retry', String(count)]];
  for (const [i, d] of latest.entries()) {
    rows.push([i === 0 ? 'Latest' : '', `${d.channel} to ${d.recipient}: ${d.subject} (${(d.last_error ?? 'no error recorded').slice(0, 200)})`]);
  }
  return { roleId: '', roleName: 'all roles', scope: '/', principalName: 'administrators', rows };
}

/** PIM-REFERENCE §6.3: activations, permanent assignments made, assignments in PIM, top roles. */
async function weeklyDigest(r: Reader, from: number, to: number): Promise<MailFacts> {
  const made = await r.db.selectFrom('schedules').select(['principal_id', 'assignment_type', 'end_at', 'kind'])
    .where('created_at', '>=', from).where('created_at', '<', to).execute();
  const activations = made.filter((s) => s.assignment_type === 'Activated');
  const permanent = made.filter((s) => s.assignment_type === 'Assigned' && s.kind === 'active' && s.end_at === null);
  const open = await r.db.selectFrom('schedules').select(['role_id', 'kind', 'end_at', 'assignment_type'])
    .where('ended_at', 'is', null).where('start_at', '<=', to).execute();
  const inPim = open.filter((s) => s.assignment_type === 'Assigned');
  const byRole = new Map<string, number>();
  for (const s of inPim) if (s.kind === 'eligible' || s.end_at === null) byRole.set(s.role_id, (byRole.get(s.role_id) ?? 0) + 1);
  const top = [...byRole].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
  const rows: Array<[string, string]> = [
    ['Activations', `${activations.length} (by ${new Set(activations.map((s) => s.principal_id)).size} principals)`],
    ['Permanent active assignments made', String(permanent.length)],
    ['Role assignments in PIM', `${inPim.filter((s) => s.kind === 'eligible').length} eligible, ${inPim.filter((s) => s.kind === 'active').length} active`],
  ];
  for (const [i, [roleId, n]] of top.entries()) rows.push([i === 0 ? 'Top roles (permanent + eligible holders)' : '', `${await roleName(r, roleId)}: ${n}`]);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { roleId: '', roleName: 'all roles', scope: '/', principalName: 'administrators', rows, period: `${day(from)} to ${day(to)}` };
}

const requestRow = (r: Reader, id: string | undefined) => (id === undefined ? Promise.resolve(undefined) : r.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst());
const scheduleRow = (r: Reader, id: string | undefined) => (id === undefined ? Promise.resolve(undefined) : r.db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst());
const ticketOf = (req: RequestsTable) => (req.ticket_number === null ? null : `${req.ticket_system !== null ? `${req.ticket_system} ` : ''}${req.ticket_number}`);

function roleName(r: Reader, roleId: string): Promise<string> {
  return memo(r, `role:${roleId}`, async () => (await r.db.selectFrom('roles').select('display_name').where('id', '=', roleId).executeTakeFirst())?.display_name ?? roleId);
}

/** A principal's display name (user, group or service principal). */
function nameOf(r: Reader, id: string): Promise<string> {
  return memo(r, `name:${id}`, () => readNameOf(r, id));
}

async function readNameOf(r: Reader, id: string): Promise<string> {
  const u = await r.db.selectFrom('users').select('display_name').where('id', '=', id).executeTakeFirst();
  if (u) return u.display_name;
  const g = await r.db.selectFrom('groups').select('display_name').where('id', '=', id).executeTakeFirst();
  if (g) return g.display_name;
  const sp = await r.db.selectFrom('service_principals').select('display_name').where('id', '=', id).executeTakeFirst();
  return sp?.display_name ?? id;
}

async function requestFacts(r: Reader, req: RequestsTable): Promise<MailFacts> {
  return {
    roleId: req.role_id, roleName: await roleName(r, req.role_id), scope: req.scope, principalName: await nameOf(r, req.principal_id),
    requestId: req.id, action: req.action, kind: req.kind, startAt: req.requested_start_at, endAt: req.requested_end_at,
    justification: req.justification, ticket: ticketOf(req),
  };
}

async function scheduleFacts(r: Reader, s: SchedulesTable): Promise<MailFacts> {
  return { roleId: s.role_id, roleName: await roleName(r, s.role_id), scope: s.scope, principalName: await nameOf(r, s.principal_id), kind: s.kind, startAt: s.start_at, endAt: s.end_at };
}

/** Mail addresses of enabled users: their mail, else a sign-in name that is an address. */
async function addressesOf(r: Reader, userIds: Iterable<string>): Promise<string[]> {
  const ids = [...new Set(userIds)];
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await r.db.selectFrom('users').select(['mail', 'user_principal_name']).where('id', 'in', ids.slice(i, i + 500))
      .where('enabled', '=', 1).where('deleted_at', 'is', null).orderBy('user_principal_name').execute();
    for (const u of rows) {
      const a = u.mail ?? u.user_principal_name;
      if (a.includes('@')) out.push(a);
    }
  }
  return out;
}

/** A user, or the people in a group (nested groups and active PIM members included); service principals have no mailbox. */
async function principalAddresses(r: Reader, principalId: string, type: string | null): Promise<string[]> {
  if (type === 'servicePrincipal') return [];
  if (type === 'group') return addressesOf(r, await resolveApprovers(r, [{ type: 'group', id: principalId }]));
  return addressesOf(r, [principalId]);
}

/** The person who asked: the requester (whoever created the request), else the principal. */
async function requesterAddresses(r: Reader, req: RequestsTable): Promise<string[]> {
  const who = req.created_by !== 'system' ? req.created_by : req.principal_id;
  return principalAddresses(r, who, who === req.principal_id ? req.principal_type : 'user');
}

/** Approvers, never the requester themselves (nobody approves their own request). */
async function approverAddresses(r: Reader, req: RequestsTable, approvers: ReadonlySet<string>): Promise<string[]> {
  const ids = [...approvers].filter((id) => id !== req.principal_id && id !== req.created_by && id !== req.token_issuer);
  return addressesOf(r, ids);
}

/** PIM-REFERENCE §2.3: the default "Admin" recipients are the Global and Privileged Role Administrators. */
function adminAddresses(r: Reader): Promise<string[]> {
  return memo(r, 'admins', async () => addressesOf(r, await defaultApprovers(r)));
}
