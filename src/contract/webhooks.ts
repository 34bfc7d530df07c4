import { Type, type Static } from 'typebox';
import { Description, Id, Instant } from './common.ts';

const EventPattern = Type.String({ minLength: 1, maxLength: 100, pattern: '^(\\*|openpim(\\.[a-z_]+)*(\\.\\*)?)$', description: 'openpim.request.approved, openpim.request.* or *' });
const Format = Type.Union([Type.Literal('cloudevents'), Type.Literal('slack')], { description: 'cloudevents: CloudEvents 1.0 structured JSON; slack: a Slack-compatible incoming-webhook message (text and blocks)' });
const Url = Type.String({ minLength: 8, maxLength: 2000, description: 'https, or http on a loopback host' });

export const Webhook = Type.Object({
  id: Id,
  url: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  events: Type.Array(Type.String()),
  format: Format,
  enabled: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
}, { additionalProperties: false });
export type Webhook = Static<typeof Webhook>;

export const CreatedWebhook = Type.Object({
  ...Webhook.properties,
  secret: Type.String({ description: 'The signing secret: shown once (keep it where the receiver verifies signatures)' }),
}, { additionalProperties: false });

export const CreateWebhook = Type.Object({
  url: Url,
  events: Type.Array(EventPattern, { minItems: 1, maxItems: 50 }),
  format: Type.Optional(Format),
  description: Type.Optional(Description),
  secret: Type.Optional(Type.String({ minLength: 24, maxLength: 200, description: 'Your own signing secret; one is generated when omitted' })),
}, { additionalProperties: false });
export type CreateWebhook = Static<typeof CreateWebhook>;

export const UpdateWebhook = Type.Object({
  url: Type.Optional(Url),
  events: Type.Optional(Type.Array(EventPattern, { minItems: 1, maxItems: 50 })),
  format: Type.Optional(Format),
  description: Type.Optional(Type.Union([Description, Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type UpdateWebhook = Static<typeof UpdateWebhook>;

export const WebhookList = Type.Object({ items: Type.Array(Webhook) }, { additionalProperties: false });
