import { Type } from 'typebox';
import { IdParams } from '../../contract/common.ts';
import { DeliveriesQuery, Delivery, DeliveryPage, MailboxQuery, MailPreferences, SetMailPreferences } from '../../contract/deliveries.ts';
import { getMailPreferences, setMailPreferences } from '../../services/mail-preferences.ts';
import { getMail, listDeliveries, retryDelivery } from '../../services/deliveries.ts';
import { notFound } from '../../domain/errors.ts';
import type { App } from '../types.ts';
import { ANY_USER, ASSIGNMENT_ADMIN } from './access.ts';

/**
 * A mail's HTML is shown in the portal in a sandboxed frame. It is served from here, with a
 * policy of its own, rather than inlined in the page: the portal's policy forbids inline style
 * (mails need it), and this one forbids everything else — no script, no fetch, no remote image
 * (a tracking pixel), no form, framed only by the portal itself.
 */
export const MAIL_PREVIEW_CSP = [
  "default-src 'none'", "style-src 'unsafe-inline'", "img-src data:", "frame-ancestors 'self'", 'sandbox',
].join('; ');

const htmlBody = { description: 'The HTML part, to show in a frame', content: { 'text/html': { schema: Type.Unsafe<string>({ type: 'string' }) } } };

export function deliveryRoutes(app: App): void {
  const tags = ['notifications'];
  app.get('/api/v1/deliveries', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: { tags, summary: 'Mail and webhook deliveries, newest first: pending (with the last error and next try), sent, failed, kept', querystring: DeliveriesQuery, response: { 200: DeliveryPage } },
  }, (req) => listDeliveries(req.ctx, req.query));
  app.post('/api/v1/deliveries/:id/retry', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: { tags, summary: 'Try a failed delivery again now (audited)', params: IdParams, response: { 200: Delivery } },
  }, (req) => retryDelivery(req.ctx, req.params.id));
  app.get('/api/v1/mail', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: {
      tags, summary: 'The kept mailbox: mails that would have been sent, with their bodies (when no SMTP server is configured)',
      querystring: MailboxQuery, response: { 200: DeliveryPage },
    },
  }, (req) => listDeliveries(req.ctx, { ...req.query, status: 'kept', channel: 'mail' }, true));
  app.get('/api/v1/mail/:id', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: { tags, summary: 'One mail (kept or sent) with its text and HTML bodies', params: IdParams, response: { 200: Delivery } },
  }, (req) => getMail(req.ctx, req.params.id));
  app.get('/api/v1/mail/:id/html', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: { tags, summary: "One mail's HTML part as a page of its own, under a policy that allows its inline style and nothing else", params: IdParams, response: { 200: htmlBody } },
  }, async (req, reply) => {
    const mail = await getMail(req.ctx, req.params.id);
    if (mail.html === null || mail.html === undefined) throw notFound('mail.no_html', 'This mail has no HTML part: read its text.', { id: mail.id });
    return reply.type('text/html; charset=utf-8')
      .header('content-security-policy', MAIL_PREVIEW_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'SAMEORIGIN')
      .header('cache-control', 'no-store')
      .send(mail.html);
  });
  app.get('/api/v1/me/notification-preferences', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'My mail preferences', response: { 200: MailPreferences } },
  }, (req) => getMailPreferences(req.ctx));
  app.put('/api/v1/me/notification-preferences', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'Turn informational mail off or on (approval requests addressed to you always come)', body: SetMailPreferences, response: { 200: MailPreferences } },
  }, (req) => setMailPreferences(req.ctx, req.body.informationalMail));
}
