import { IdParams } from '../../contract/common.ts';
import { DeliveriesQuery, Delivery, DeliveryPage, MailboxQuery, MailPreferences, SetMailPreferences } from '../../contract/deliveries.ts';
import { getMailPreferences, setMailPreferences } from '../../services/mail-preferences.ts';
import { listDeliveries, retryDelivery } from '../../services/deliveries.ts';
import type { App } from '../types.ts';
import { ANY_USER, ASSIGNMENT_ADMIN } from './access.ts';

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
  app.get('/api/v1/me/notification-preferences', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'My mail preferences', response: { 200: MailPreferences } },
  }, (req) => getMailPreferences(req.ctx));
  app.put('/api/v1/me/notification-preferences', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'Turn informational mail off or on (approval requests addressed to you always come)', body: SetMailPreferences, response: { 200: MailPreferences } },
  }, (req) => setMailPreferences(req.ctx, req.body.informationalMail));
}
