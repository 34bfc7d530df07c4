import { signature } from '../domain/webhook-payload.ts';

export interface WebhookCall {
  url: string;
  secret: string;
  format: 'cloudevents' | 'slack';
  body: string;
  /** The event id: the same on every retry, so a receiver that saw it already can ignore it. */
  eventId: string;
  deliveryId: string;
  unixSeconds: number;
}

const TIMEOUT_MS = 10_000;

/**
 * POSTs one event. Anything but a 2xx is a failure to retry; redirects are not followed (a
 * subscription names its endpoint; a redirect elsewhere could leak the payload).
 */
export async function postWebhook(c: WebhookCall): Promise<void> {
  const res = await fetch(c.url, {
    method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: {
      'content-type': c.format === 'cloudevents' ? 'application/cloudevents+json; charset=utf-8' : 'application/json; charset=utf-8',
      'user-agent': 'openpim-webhooks/1',
      'openpim-signature': signature(c.secret, c.unixSeconds, c.body),
      'idempotency-key': c.eventId,
      'openpim-delivery': c.deliveryId,
    },
    body: c.body,
  });
  // The body is not needed; reading it frees the connection.
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status} from the endpoint`);
}
