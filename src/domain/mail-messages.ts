/**
 * Every mail openpim sends, as data: one entry per message kind says whether it asks for an
 * action (critical: kept when a recipient row is set to critical-only), its subject, its
 * opening sentence, and where its link points. Adding a message type is adding an entry here
 * and naming it in notification-plan.ts. Rendering escapes every value for HTML and keeps
 * subjects on one line (no header injection).
 */

/** The facts a message may show; all optional, shown when present. */
export interface MailFacts {
  roleName: string;
  roleId: string;
  scope: string;
  principalName: string;
  requestId?: string | undefined;
  /** selfActivate, adminAssign, selfExtend … */
  action?: string | undefined;
  kind?: 'eligible' | 'active' | undefined;
  startAt?: number | null | undefined;
  endAt?: number | null | undefined;
  justification?: string | null | undefined;
  ticket?: string | null | undefined;
  /** Who did it: the approver, the administrator. */
  actorName?: string | undefined;
  /** The approver's justification on a decision. */
  decisionJustification?: string | null | undefined;
  /** Reminders: days left (14, 1) or 0 at expiry. */
  daysLeft?: number | undefined;
  /** Rows shown instead of the role facts (the weekly digest). */
  rows?: Array<[string, string]> | undefined;
  /** The digest's period, e.g. "2026-11-16 to 2026-11-23". */
  period?: string | undefined;
}

export type MessageKind =
  | 'approval.requested' | 'approval.escalated' | 'extension.requested'
  | 'activation.alert' | 'activation.notice'
  | 'assignment.alert' | 'assignment.notice'
  | 'request.approved' | 'request.denied' | 'request.expired' | 'request.canceled' | 'request.completed'
  | 'expiry.reminder' | 'expiry.alert' | 'assignment.extended'
  | 'digest.weekly' | 'delivery.failed';

interface MessageSpec {
  critical: boolean;
  subject(f: MailFacts): string;
  intro(f: MailFacts): string;
  /** A path on the portal (PIM_PUBLIC_URL is put in front). */
  link(f: MailFacts): string;
  linkText: string;
}

const kindText = (f: MailFacts) => (f.kind === 'active' ? 'active' : 'eligible');
const request = (f: MailFacts) => `/requests/${encodeURIComponent(f.requestId ?? '')}`;
const approval = (f: MailFacts) => `/approvals/${encodeURIComponent(f.requestId ?? '')}`;
const what = (f: MailFacts) => (f.action === 'selfRenew' ? 'renewal' : f.action === 'selfExtend' ? 'extension' : 'activation');

export const MESSAGES: Record<MessageKind, MessageSpec> = {
  'approval.requested': {
    critical: true,
    subject: (f) => `PIM: ${f.principalName} requests approval to activate ${f.roleName}`,
    intro: (f) => `${f.principalName} asks to activate ${f.roleName}. You are an approver: approve or deny the request.`,
    link: approval, linkText: 'Approve or deny',
  },
  'approval.escalated': {
    critical: true,
    subject: (f) => `PIM: escalated – approve or deny ${f.principalName}'s request for ${f.roleName}`,
    intro: (f) => `The approvers of ${f.principalName}'s request for ${f.roleName} did not decide in time; it is now yours to approve or deny.`,
    link: approval, linkText: 'Approve or deny',
  },
  'extension.requested': {
    critical: true,
    subject: (f) => `PIM: ${f.principalName} requests ${what(f) === 'renewal' ? 'renewal' : 'extension'} of ${f.roleName}`,
    intro: (f) => `${f.principalName} asks for the ${what(f)} of their ${kindText(f)} assignment of ${f.roleName}. Approve or deny the request.`,
    link: approval, linkText: 'Approve or deny',
  },
  'activation.alert': {
    critical: false,
    subject: (f) => `PIM: ${f.principalName} activated ${f.roleName}`,
    intro: (f) => `${f.principalName} activated the privileged role ${f.roleName}.`,
    link: (f) => `/admin/roles/${encodeURIComponent(f.roleId)}`, linkText: 'See the role\'s assignments',
  },
  'activation.notice': {
    critical: false,
    subject: (f) => `PIM: you activated ${f.roleName}`,
    intro: (f) => `Your activation of ${f.roleName} is active.`,
    link: () => '/my-roles?tab=active', linkText: 'See my roles',
  },
  'assignment.alert': {
    critical: false,
    subject: (f) => `PIM: ${f.principalName} was assigned ${f.roleName} (${kindText(f)})`,
    intro: (f) => `${f.actorName ?? 'An administrator'} made ${f.principalName} ${kindText(f)} for ${f.roleName}.`,
    link: (f) => `/admin/roles/${encodeURIComponent(f.roleId)}`, linkText: 'See the role\'s assignments',
  },
  'assignment.notice': {
    critical: false,
    subject: (f) => `PIM: you are now ${kindText(f)} for ${f.roleName}`,
    intro: (f) => (f.kind === 'active'
      ? `You now hold ${f.roleName}.`
      : `You are now eligible for ${f.roleName}: activate it when you need it.`),
    link: () => '/my-roles', linkText: 'See my roles',
  },
  'request.approved': {
    critical: false,
    subject: (f) => `PIM: your request for ${f.roleName} was approved`,
    intro: (f) => `${f.actorName ?? 'An approver'} approved your ${what(f)} request for ${f.roleName}.`,
    link: request, linkText: 'See the request',
  },
  'request.denied': {
    critical: false,
    subject: (f) => `PIM: your request for ${f.roleName} was denied`,
    intro: (f) => `${f.actorName ?? 'An approver'} denied your ${what(f)} request for ${f.roleName}.`,
    link: request, linkText: 'See the request',
  },
  'request.expired': {
    critical: false,
    subject: (f) => `PIM: the request for ${f.roleName} expired without a decision`,
    intro: (f) => `Nobody decided on ${f.principalName}'s ${what(f)} request for ${f.roleName} in time; it is canceled.`,
    link: request, linkText: 'See the request',
  },
  'request.canceled': {
    critical: false,
    subject: (f) => `PIM: the request for ${f.roleName} was canceled`,
    intro: (f) => `${f.principalName}'s ${what(f)} request for ${f.roleName} was canceled.`,
    link: request, linkText: 'See the request',
  },
  'request.completed': {
    critical: false,
    subject: (f) => `PIM: ${f.principalName}'s request for ${f.roleName} was decided`,
    intro: (f) => `${f.actorName ?? 'An approver'} decided on ${f.principalName}'s ${what(f)} request for ${f.roleName}; nothing more is needed from you.`,
    link: request, linkText: 'See the request',
  },
  'expiry.reminder': {
    critical: false,
    subject: (f) => (f.daysLeft === 0 ? `PIM: your ${kindText(f)} assignment of ${f.roleName} has expired` : `PIM: your ${kindText(f)} assignment of ${f.roleName} expires in ${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'}`),
    intro: (f) => (f.daysLeft === 0 ? `Your assignment of ${f.roleName} has ended. You can ask for its renewal.` : `Your assignment of ${f.roleName} ends soon. You can ask for its extension.`),
    link: () => '/my-roles', linkText: 'See my roles',
  },
  'assignment.extended': {
    critical: false,
    subject: (f) => `PIM: ${f.principalName}'s assignment of ${f.roleName} was extended`,
    intro: (f) => `${f.actorName ?? 'An administrator'} extended ${f.principalName}'s ${kindText(f)} assignment of ${f.roleName}.`,
    link: (f) => `/admin/roles/${encodeURIComponent(f.roleId)}`, linkText: 'See the role\'s assignments',
  },
  'digest.weekly': {
    critical: false,
    subject: (f) => `PIM: weekly digest ${f.period ?? ''}`,
    intro: (f) => `What happened in Privileged Identity Management in the week ${f.period ?? ''}.`,
    link: () => '/admin/roles', linkText: 'Review the roles',
  },
  'delivery.failed': {
    // Someone missed a mail or a tool missed an event: an administrator should look and retry.
    critical: true,
    subject: () => 'PIM: deliveries failed for good',
    intro: () => 'Some mails or webhook calls could not be delivered before the give-up period ended. Fix the cause (mail server, address, receiver), then retry them.',
    link: () => '/admin/notifications/deliveries', linkText: 'See the failed deliveries',
  },
  'expiry.alert': {
    critical: false,
    subject: (f) => (f.daysLeft === 0 ? `PIM: ${f.principalName}'s assignment of ${f.roleName} has expired` : `PIM: ${f.principalName}'s assignment of ${f.roleName} expires in ${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'}`),
    intro: (f) => `${f.principalName}'s ${kindText(f)} assignment of ${f.roleName} ${f.daysLeft === 0 ? 'has ended' : 'ends soon'}.`,
    link: (f) => `/admin/roles/${encodeURIComponent(f.roleId)}`, linkText: 'See the role\'s assignments',
  },
};

export interface RenderedMail { subject: string; text: string; html: string }

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);
/** One line, no control characters: a subject can never start a new header. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they must not reach a header
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 250);

function factRows(f: MailFacts, iso: (ms: number) => string): Array<[string, string]> {
  if (f.rows !== undefined) return f.rows;
  const rows: Array<[string, string]> = [['Role', f.roleName], ['Scope', f.scope], ['Principal', f.principalName]];
  if (f.kind !== undefined) rows.push(['Assignment', f.kind]);
  if (f.startAt !== undefined && f.startAt !== null) rows.push(['Start', iso(f.startAt)]);
  if (f.endAt !== undefined) rows.push(['End', f.endAt === null ? 'permanent' : iso(f.endAt)]);
  if (f.justification) rows.push(['Justification', f.justification]);
  if (f.ticket) rows.push(['Ticket', f.ticket]);
  if (f.actorName !== undefined) rows.push(['By', f.actorName]);
  if (f.decisionJustification) rows.push(['Reason given', f.decisionJustification]);
  if (f.requestId !== undefined) rows.push(['Request', f.requestId]);
  return rows;
}

/** Renders a message to plain text and HTML; `baseUrl` is PIM_PUBLIC_URL. */
export function renderMail(kind: MessageKind, f: MailFacts, baseUrl: string): RenderedMail {
  const spec = MESSAGES[kind];
  const url = `${baseUrl.replace(/\/+$/, '')}${spec.link(f)}`;
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const rows = factRows(f, iso).map(([k, v]) => [k, v.replace(/[\r\n]+/g, ' ')] as const);
  const intro = spec.intro(f);
  const text = [intro, '', ...rows.map(([k, v]) => `${k}: ${v}`), '', `${spec.linkText}: ${url}`, '', '— openpim (Privileged Identity Management)'].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f24">',
    `<p>${escapeHtml(intro)}</p>`,
    '<table style="border-collapse:collapse">',
    ...rows.map(([k, v]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p><a href="${escapeHtml(url)}">${escapeHtml(spec.linkText)}</a></p>`,
    '<p style="color:#57606a;font-size:12px">openpim (Privileged Identity Management)</p>',
    '</body></html>',
  ].join('\n');
  return { subject: oneLine(spec.subject(f)), text, html };
}
