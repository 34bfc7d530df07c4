import { Type, type Static } from 'typebox';
import { Id, Instant, NullableInstant, Page } from './common.ts';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('kept')], {
  description: 'pending (waiting for its next try), sending, sent, failed (given up: retry it), kept (no SMTP configured: read it here)',
});
const Channel = Type.Union([Type.Literal('mail'), Type.Literal('webhook')]);

/** One message to one recipient, made from a PIM event. */
export const Delivery = Type.Object({
  id: Id,
  channel: Channel,
  eventType: Type.String({ description: 'The event it came from, e.g. request.awaiting, schedule.created' }),
  recipient: Type.String({ description: 'A mail address, or a webhook endpoint id' }),
  subject: Type.String(),
  critical: Type.Boolean({ description: 'Asks for an action (approve this): kept by critical-only settings' }),
  status: Status,
  attempts: Type.Integer(),
  nextAttemptAt: NullableInstant,
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Instant,
  sentAt: NullableInstant,
  giveUpAt: Instant,
  text: Type.Optional(Type.String({ description: 'The plain-text body (mailbox view)' })),
  html: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The HTML body (mailbox view)' })),
}, { additionalProperties: false });
export type Delivery = Static<typeof Delivery>;

export const DeliveryPage = Page(Delivery);

export const DeliveriesQuery = Type.Object({
  status: Type.Optional(Status),
  channel: Type.Optional(Channel),
  recipient: Type.Optional(Type.String({ maxLength: 320 })),
  cursor: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
}, { additionalProperties: false });

export const MailboxQuery = Type.Object({
  recipient: Type.Optional(Type.String({ maxLength: 320 })),
  cursor: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
}, { additionalProperties: false });

export const MailPreferences = Type.Object({
  informationalMail: Type.Boolean({ description: 'false: no alerts, notices or reminders; mail that asks you to act (approval requests) still comes' }),
  updatedAt: NullableInstant,
}, { additionalProperties: false });

export const SetMailPreferences = Type.Object({ informationalMail: Type.Boolean() }, { additionalProperties: false });
