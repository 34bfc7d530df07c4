import { Option, type Command } from 'commander';
import type { Delivery } from '../../contract/deliveries.ts';
import type { PimClient } from './http.ts';
import { EXIT, json, out, table, when } from './output.ts';
import { CliError, run, signedIn } from './run.ts';

/**
 * Administrators' view of what openpim sends (Privileged Role / Global Administrators):
 * `pim mail list|show` reads the kept mailbox (the mails a server with no SMTP configured would
 * have sent), `pim deliveries` lists every delivery with its tries and last error, and
 * `pim deliveries retry` sends a failed one again. See docs/notifications.md.
 */

type Page = { items: Delivery[]; nextCursor: string | null };

const admins = '\nNeeds an active Privileged Role Administrator or Global Administrator assignment on the server.\n';

function limitOf(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new CliError(`--limit takes a whole number from 1 to 10000 (got "${raw}").`, EXIT.usage);
  return n;
}

/** Up to `limit` items of a list endpoint, newest first, following its cursor (the API gives at most 200 a page). */
async function collect(client: PimClient, path: string, query: URLSearchParams, limit: number): Promise<Delivery[]> {
  const items: Delivery[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams(query);
    q.set('limit', String(Math.min(200, limit - items.length)));
    if (cursor !== null) q.set('cursor', cursor);
    const page: Page = await client.get(`${path}?${q.toString()}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && items.length < limit);
  return items;
}

/** Long errors are cut in the table; --json has them whole. */
const short = (s: string | null, max = 60): string => (s === null ? '' : s.length <= max ? s : `${s.slice(0, max - 1)}…`);

function printMail(m: Delivery, html: boolean): void {
  out(`Id:      ${m.id}\nCreated: ${when(m.createdAt)}\nTo:      ${m.recipient}\nSubject: ${m.subject}\nEvent:   ${m.eventType}${m.critical ? ' (asks for an action)' : ''}\n\n`);
  const body = html ? m.html ?? '(this message has no HTML part)' : m.text ?? '';
  out(body.endsWith('\n') ? body : `${body}\n`);
}

export function registerMailCommands(program: Command): void {
  const mail = program.command('mail')
    .description('The kept mailbox: mails a server with no SMTP configured keeps instead of sending (administrators)')
    .addHelpText('after', '\nExamples:\n  pim mail list --to alice@example.com\n  pim mail show 0b9e5d2c-6a3f-4c1e-9f0a-2d7c8e4b1a55\n' + admins);

  mail.command('list')
    .description('Kept mails, newest first: when, to whom, subject')
    .option('--to <address>', 'only mails to this address').option('--limit <n>', 'how many (newest first)', '50').option('--json', 'print JSON (with the text and HTML bodies)')
    .addHelpText('after', '\nExample:\n  pim mail list --to alice@example.com --limit 20\n' + admins)
    .action(run(async (o: { to?: string; limit: string; json?: boolean }) => {
      const limit = limitOf(o.limit);
      const { client } = signedIn();
      const items = await collect(client, '/api/v1/mail', new URLSearchParams(o.to !== undefined ? { recipient: o.to } : {}), limit);
      if (o.json === true) { json(items); return; }
      if (items.length === 0) { out(`No kept mail${o.to !== undefined ? ` to ${o.to}` : ''}. (With PIM_SMTP_URL set, mail is sent: see \`pim deliveries\`.)\n`); return; }
      out(table(['ID', 'CREATED', 'TO', 'SUBJECT'], items.map((m) => [m.id, when(m.createdAt), m.recipient, m.subject])));
    }));

  mail.command('show <id>')
    .description('Print one kept mail: its headers, then its text (or, with --html, its HTML part)')
    .option('--html', 'the HTML part instead of the text').option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim mail show 0b9e5d2c-6a3f-4c1e-9f0a-2d7c8e4b1a55\n  pim mail show 0b9e5d2c-6a3f-4c1e-9f0a-2d7c8e4b1a55 --html > mail.html\n' + admins)
    .action(run(async (id: string, o: { html?: boolean; json?: boolean }) => {
      const { client } = signedIn();
      const found = await client.get<Delivery>(`/api/v1/mail/${encodeURIComponent(id)}`);
      if (o.json === true) json(found); else printMail(found, o.html === true);
    }));

  const deliveries = program.command('deliveries')
    .description('Mail and webhook deliveries, newest first: status, tries, next try and last error (administrators)')
    .addOption(new Option('--status <status>', 'only these').choices(['pending', 'sending', 'sent', 'failed', 'kept']))
    .addOption(new Option('--channel <channel>', 'only these').choices(['mail', 'webhook']))
    .option('--to <recipient>', 'only to this address (or webhook subscription id)').option('--limit <n>', 'how many (newest first)', '50').option('--json', 'print JSON')
    .enablePositionalOptions()
    .addHelpText('after', '\nExamples:\n  pim deliveries --status failed\n  pim deliveries --to alice@example.com --json\n  pim deliveries retry 0b9e5d2c-6a3f-4c1e-9f0a-2d7c8e4b1a55\n' + admins)
    .action(run(async (o: { status?: string; channel?: string; to?: string; limit: string; json?: boolean }) => {
      const limit = limitOf(o.limit);
      const { client } = signedIn();
      const q = new URLSearchParams();
      if (o.status !== undefined) q.set('status', o.status);
      if (o.channel !== undefined) q.set('channel', o.channel);
      if (o.to !== undefined) q.set('recipient', o.to);
      const items = await collect(client, '/api/v1/deliveries', q, limit);
      if (o.json === true) { json(items); return; }
      if (items.length === 0) { out(`No deliveries${o.status !== undefined ? ` ${o.status}` : ''}.\n`); return; }
      out(table(['ID', 'CREATED', 'CHANNEL', 'TO', 'STATUS', 'TRIES', 'NEXT TRY', 'LAST ERROR'], items.map((d) => [
        d.id, when(d.createdAt), d.channel, d.recipient, d.status, String(d.attempts), d.nextAttemptAt === null ? '' : when(d.nextAttemptAt), short(d.lastError),
      ])));
    }));

  deliveries.command('retry <id>')
    .description('Send a failed delivery again now, with a fresh give-up period (audited)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim deliveries --status failed\n  pim deliveries retry 0b9e5d2c-6a3f-4c1e-9f0a-2d7c8e4b1a55\n' + admins)
    .action(run(async (id: string, o: { json?: boolean }) => {
      const { client } = signedIn();
      const d = await client.post<Delivery>(`/api/v1/deliveries/${encodeURIComponent(id)}/retry`);
      if (o.json === true) json(d); else out(`${d.id} to ${d.recipient} is ${d.status} again: the worker tries it at its next pass.\n`);
    }));
}
