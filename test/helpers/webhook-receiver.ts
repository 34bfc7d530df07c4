import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Call { headers: Record<string, string | string[] | undefined>; body: string; verified: boolean }

/** A webhook receiver on loopback that checks signatures the way docs/notifications.md tells receivers to. */
export class Receiver {
  readonly calls: Call[] = [];
  failNext = 0;
  secret = '';
  private server: Server | undefined;
  url = '';
  async listen(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const sig = String(req.headers['openpim-signature'] ?? '');
        const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
        const expected = m ? createHmac('sha256', this.secret).update(`${m[1]}.${body}`).digest() : Buffer.alloc(32);
        const verified = m !== null && timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
        this.calls.push({ headers: req.headers, body, verified });
        if (this.failNext > 0) { this.failNext--; res.statusCode = 500; res.end('down'); return; }
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/pim`;
    return this;
  }
  /** What a receiver that dedupes by idempotency key has processed. */
  unique(): Call[] {
    const seen = new Set<string>();
    return this.calls.filter((c) => c.verified && !seen.has(String(c.headers['idempotency-key'])) && (seen.add(String(c.headers['idempotency-key'])), true));
  }
  close(): Promise<void> { return new Promise((resolve) => { this.server?.close(() => resolve()); }); }
}
