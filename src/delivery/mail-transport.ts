import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string | null;
  /** Stable per delivery: a retried mail carries the same Message-ID, so receivers can drop a repeat. */
  messageId: string;
}

export interface MailTransport {
  send(m: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer (PIM_SMTP_URL). Headers are nodemailer's to encode: subjects come
 * rendered on one line, addresses from our own rows, so nothing user-typed becomes a header.
 */
export function smtpTransport(url: string, from: string): MailTransport {
  const t: Transporter = nodemailer.createTransport(url, { from });
  return {
    async send(m) {
      await t.sendMail({ to: m.to, subject: m.subject, text: m.text, ...(m.html !== null ? { html: m.html } : {}), messageId: m.messageId });
    },
    close() { t.close(); },
  };
}
