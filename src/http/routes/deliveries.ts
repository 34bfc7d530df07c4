import { IdParams } from '../../contract/common.ts';
import { DeliveriesQuery, Delivery, DeliveryPage, MailboxQuery } from '../../contract/deliveries.ts';
import { listDeliveries, retryDelivery } from '../../services/deliveries.ts';
import type { App } from '../types.ts';
import { ASSIGNMENT_ADMIN } from './access.ts';

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
}
