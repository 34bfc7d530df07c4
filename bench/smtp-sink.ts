/**
 * Child of bench/outbox.ts: a real SMTP server (smtp-server, as in test/helpers/smtp.ts) on a
 * loopback port, in a process of its own so that parsing mail does not share an event loop
 * (or its CPU time) with the delivery worker being measured.
 *
 *   node --import tsx bench/smtp-sink.ts
 *
 * Protocol, one JSON line each way: it prints {"kind":"listening","port"}; when its stdin says
 * "report" it prints {"kind":"report","received","messageIds","rcpts","cpuPct"}; it exits when
 * stdin ends.
 */
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { SMTPServer } from 'smtp-server';

const messageIds: string[] = [];
let rcpts = 0;

const server = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, disableReverseLookup: true,
  // The worker sends one message per connection unless pooled: no cap on clients.
  maxClients: 10_000,
  onData: (stream, session, cb) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      // The header block only; Message-ID is one short line (nodemailer never folds it).
      const head = raw.slice(0, raw.search(/\r?\n\r?\n/) >>> 0);
      messageIds.push(/^Message-ID: *(.*)$/im.exec(head)?.[1]?.trim() ?? '');
      rcpts += session.envelope.rcptTo.length;
      cb();
    });
  },
});

let cpu0 = process.cpuUsage();
let wall0 = process.hrtime.bigint();
server.listen(0, '127.0.0.1', () => {
  const port = (server.server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ kind: 'listening', port })}\n`);
});

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'reset') {
    cpu0 = process.cpuUsage();
    wall0 = process.hrtime.bigint();
  } else if (line.trim() === 'report') {
    const cpu = process.cpuUsage(cpu0);
    const cpuPct = Math.round((100 * (cpu.user + cpu.system)) / (Number(process.hrtime.bigint() - wall0) / 1000));
    process.stdout.write(`${JSON.stringify({ kind: 'report', received: messageIds.length, messageIds, rcpts, cpuPct })}\n`);
  }
  // Nothing is left to receive: no need to wait for idle (pooled) client connections to go.
}).on('close', () => process.exit(0));
