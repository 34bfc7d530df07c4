import type { ServiceContext } from '../services/context.ts';
import { claimDueDeliveries } from '../services/deliveries.ts';
import { fanOutEvents } from '../services/notification-fanout.ts';
import type { DeliveriesTable } from '../store/schema.ts';
import { webhookTarget } from '../services/webhooks.ts';
import { AttemptRecorder } from './attempt-recorder.ts';
import { smtpTransport, type MailTransport } from './mail-transport.ts';
import { postWebhook } from './webhook-transport.ts';

export interface TickCounts { events: number; sent: number; failed: number }

/** Sends at once at most (connections to the SMTP server, requests to webhook receivers). */
const IN_FLIGHT = 20;
/** Claim again once this many slots are free: fewer, larger claims (each takes the write lock). */
const CLAIM_MIN = 5;

/**
 * The delivery loop: turns new outbox events into deliveries, then sends what is due, a few
 * at a time, recording each attempt. Sending happens outside any transaction (a slow mail
 * server must not hold the write lock); the claim's lease covers a crash mid-send.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;
  private readonly mail: MailTransport | null;
  private readonly recorder: AttemptRecorder;

  constructor(private readonly ctx: ServiceContext, o: { mail?: MailTransport | null } = {}) {
    const d = ctx.config.delivery;
    this.mail = o.mail !== undefined ? o.mail : d.smtpUrl === null ? null : smtpTransport(d.smtpUrl, d.mailFrom);
    this.recorder = new AttemptRecorder(ctx);
  }

  /** One pass now: fan out, then send until nothing is due (what the timer calls). */
  async tick(): Promise<TickCounts | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    const run = this.pass();
    this.running = run.catch(() => undefined);
    try {
      return await run;
    } catch (err) {
      this.ctx.log.error({ err }, 'delivery pass failed; retrying on the next tick');
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  private async pass(): Promise<TickCounts> {
    const counts: TickCounts = { events: 0, sent: 0, failed: 0 };
    for (let n = await fanOutEvents(this.ctx); n > 0; n = await fanOutEvents(this.ctx)) counts.events += n;
    await this.sendDue(counts);
    if (counts.events + counts.sent + counts.failed > 0) this.ctx.log.info({ deliveries: counts }, 'deliveries ran');
    return counts;
  }

  /**
   * Sends what is due with up to IN_FLIGHT sends going at once. Freed slots are refilled by
   * the next claim as soon as CLAIM_MIN are free, without waiting for the rest of the earlier
   * claim (one slow message no longer holds back the others). Ends when a claim comes back
   * short (nothing more is due) and every send is recorded. Should recording fail (the
   * database is gone), nothing more is claimed and the pass fails once the rest are done.
   */
  private async sendDue(counts: TickCounts): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let failure: { err: unknown } | undefined;
    let drained = false;
    for (;;) {
      const room = IN_FLIGHT - inFlight.size;
      if (!drained && failure === undefined && (room >= CLAIM_MIN || inFlight.size === 0)) {
        const due = await claimDueDeliveries(this.ctx, room);
        drained = due.length < room;
        for (const d of due) {
          const sending: Promise<void> = this.sendOne(d)
            .then((ok) => { if (ok) counts.sent++; else counts.failed++; }, (err: unknown) => { failure ??= { err }; })
            .finally(() => inFlight.delete(sending));
          inFlight.add(sending);
        }
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
    }
    if (failure !== undefined) throw failure.err;
  }

  private async sendOne(d: DeliveriesTable): Promise<boolean> {
    let error: string | null = null;
    try {
      if (d.channel === 'webhook') {
        const target = await webhookTarget(this.ctx, d.recipient);
        if (target === null) throw new Error('the webhook subscription was deleted or disabled');
        await postWebhook({ ...target, body: d.body_text, eventId: d.event_id, deliveryId: d.id, unixSeconds: Math.floor(this.ctx.clock.nowMs() / 1000) });
      } else {
        if (this.mail === null) throw new Error('no SMTP server is configured (PIM_SMTP_URL)');
        await this.mail.send({ to: d.recipient, subject: d.subject, text: d.body_text, html: d.body_html, messageId: `<${d.id}@openpim>` });
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    await this.recorder.record({ id: d.id, error });
    return error === null;
  }

  start(intervalMs: number): void {
    void this.tick();
    this.timer = setInterval(() => { void this.tick(); }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
    this.mail?.close();
  }
}
