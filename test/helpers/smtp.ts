import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  /** The raw message with quoted-printable soft breaks and escapes undone (enough to read links and text). */
  body: string;
  messageId: string;
  /** The name the client gave in EHLO (nodemailer: its `name` option, e.g. `?name=node-a` in the SMTP URL). */
  client: string;
}

/**
 * A real SMTP server (smtp-server) on a loopback port, keeping what it receives. `reject`
 * makes it refuse recipients (a permanent 550), `close()`/`listen(port)` take it down and
 * bring it back on the same port (a mail server outage).
 */
export class TestSmtp {
  readonly mails: ReceivedMail[] = [];
  reject = false;
  /**
   * When set, each message is acknowledged (and kept) only once the returned promise settles:
   * a test can hold messages in flight until something else has happened.
   */
  hold: ((m: ReceivedMail) => Promise<void>) | undefined;
  private server: SMTPServer | undefined;
  port = 0;

  async listen(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      onRcptTo: (address, _session, cb) => { if (this.reject) cb(Object.assign(new Error('550 mailbox unavailable'), { responseCode: 550 })); else cb(); },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const body = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
          const header = (name: string) => new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
          const mail = { to: session.envelope.rcptTo.map((r) => r.address), subject: header('Subject'), body, messageId: header('Message-ID'), client: session.hostNameAppearsAs };
          void (this.hold?.(mail) ?? Promise.resolve()).then(() => { this.mails.push(mail); cb(); }, (err: Error) => cb(err));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string { return `smtp://127.0.0.1:${this.port}`; }

  to(address: string): ReceivedMail[] { return this.mails.filter((m) => m.to.includes(address)); }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
