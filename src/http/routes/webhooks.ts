import { Type } from 'typebox';
import { IdParams } from '../../contract/common.ts';
import { CreatedWebhook, CreateWebhook, UpdateWebhook, Webhook, WebhookList } from '../../contract/webhooks.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook } from '../../services/webhooks.ts';
import type { App } from '../types.ts';
import { ASSIGNMENT_ADMIN } from './access.ts';

export function webhookRoutes(app: App): void {
  const tags = ['notifications'];
  app.post('/api/v1/webhooks', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: {
      tags, summary: 'Subscribe an endpoint to PIM events (CloudEvents 1.0 or Slack-compatible); the signing secret is shown once',
      description: 'Each call carries `openpim-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` and `idempotency-key: <event id>`. Failed calls are retried like mail. See docs/notifications.md.',
      body: CreateWebhook, response: { 201: CreatedWebhook },
    },
  }, async (req, reply) => reply.status(201).send(await createWebhook(req.ctx, req.body)));
  app.get('/api/v1/webhooks', { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Webhook subscriptions', response: { 200: WebhookList } } }, (req) => listWebhooks(req.ctx));
  app.get('/api/v1/webhooks/:id', { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'One webhook subscription', params: IdParams, response: { 200: Webhook } } }, (req) => getWebhook(req.ctx, req.params.id));
  app.patch('/api/v1/webhooks/:id', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: { tags, summary: 'Change a subscription (URL, events, format, enabled)', params: IdParams, body: UpdateWebhook, response: { 200: Webhook } },
  }, (req) => updateWebhook(req.ctx, req.params.id, req.body));
  app.delete('/api/v1/webhooks/:id', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: { tags, summary: 'Remove a subscription', params: IdParams, response: { 204: Type.Null() } },
  }, async (req, reply) => { await deleteWebhook(req.ctx, req.params.id); return reply.status(204).send(null); });
}
