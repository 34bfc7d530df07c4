import { createHmac } from 'node:crypto';
import type { MailFacts } from './mail-messages.ts';

/**
 * What a webhook receives: the event as a CloudEvents 1.0 structured JSON document (or, for
 * Slack-compatible incoming webhooks, a text + blocks message), and a signature over the
 * timestamp and the body so the receiver can tell it came from us and is fresh.
 */

/** The public event types (CloudEvents `type`), by outbox event and what it describes. */
export function publicEventType(outboxType: string, p: { decision?: unknown; assignmentType?: string | null }): string {
  switch (outboxType) {
    case 'request.awaiting': return 'openpim.request.pending';
    case 'request.decided': return p.decision === 'deny' ? 'openpim.request.denied' : 'openpim.request.approved';
    case 'schedule.created': return p.assignmentType === 'Activated' ? 'openpim.role.activated' : 'openpim.assignment.created';
    case 'schedule.expired': return p.assignmentType === 'Activated' ? 'openpim.activation.ended' : 'openpim.assignment.expired';
    case 'schedule.expiring': return 'openpim.assignment.expiring';
    case 'schedule.started': return 'openpim.activation.started';
    case 'schedule.extended': return 'openpim.assignment.extended';
    default: return `openpim.${outboxType}`;
  }
}

/** `*`, an exact type, or a prefix ending in `.*` (`openpim.request.*`). */
export function eventMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

export interface EventDescription {
  id: string;
  type: string;
  time: number;
  /** What it is about: `requests/{id}` or `schedules/{id}`. */
  subject: string;
  facts: MailFacts | null;
  /** The ids the event carries (request, schedule, principal, role). */
  refs: Record<string, string | number | null>;
}

function data(e: EventDescription, iso: (ms: number) => string): Record<string, unknown> {
  const f = e.facts;
  return {
    ...e.refs,
    ...(f !== null ? {
      role: { id: f.roleId, displayName: f.roleName }, scope: f.scope, principal: { displayName: f.principalName },
      ...(f.kind !== undefined ? { kind: f.kind } : {}),
      ...(f.startAt !== undefined && f.startAt !== null ? { startAt: iso(f.startAt) } : {}),
      ...(f.endAt !== undefined ? { endAt: f.endAt === null ? null : iso(f.endAt) } : {}),
      ...(f.justification ? { justification: f.justification } : {}),
      ...(f.ticket ? { ticket: f.ticket } : {}),
      ...(f.actorName !== undefined ? { decidedBy: f.actorName } : {}),
      ...(f.decisionJustification ? { decisionJustification: f.decisionJustification } : {}),
    } : {}),
  };
}

const isoOf = (ms: number) => new Date(ms).toISOString();

/** CloudEvents 1.0, structured content mode (application/cloudevents+json). */
export function cloudEvent(e: EventDescription, source: string): string {
  return JSON.stringify({ specversion: '1.0', id: e.id, source, type: e.type, subject: e.subject, time: isoOf(e.time), datacontenttype: 'application/json', data: data(e, isoOf) });
}

// Slack's mrkdwn treats &, < and > as control characters.
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack-compatible incoming-webhook message: a one-line text (notifications) and blocks. */
export function slackMessage(e: EventDescription, portalUrl: string): string {
  const f = e.facts;
  const headline = f === null ? e.type : `${e.type.replace(/^openpim\./, '')}: ${f.principalName} · ${f.roleName} · ${f.scope}`;
  const lines = f === null ? [] : [
    f.justification ? `*Justification:* ${f.justification}` : '',
    f.ticket ? `*Ticket:* ${f.ticket}` : '',
    f.endAt !== undefined ? `*Until:* ${f.endAt === null ? 'permanent' : isoOf(f.endAt)}` : '',
    f.actorName !== undefined ? `*By:* ${f.actorName}` : '',
  ].filter((l) => l !== '').map(slackEscape);
  const link = typeof e.refs.requestId === 'string' ? `${portalUrl}/requests/${e.refs.requestId}` : portalUrl;
  return JSON.stringify({
    text: slackEscape(headline),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: [`*${slackEscape(headline)}*`, ...lines].join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${link}|Open in openpim> · event ${e.id}` }] },
    ],
  });
}

/**
 * The signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 * Receivers recompute it with the shared secret, compare in constant time, and refuse
 * timestamps older than a few minutes (replays).
 */
export function signature(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}
