import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { smtpTransport } from '../../src/delivery/mail-transport.ts';
import { DeliveryWorker, type TickCounts } from '../../src/delivery/worker.ts';
import { assign, group } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin } from '../helpers/harness.ts';
import { TestSmtp } from '../helpers/smtp.ts';

const NODE_SCRIPT = fileURLToPath(new URL('../helpers/delivery-node.ts', import.meta.url));
const MEMBERS = 70;
const ROLES = 4;

/**
 * DESIGN invariant 5 with several nodes: two delivery workers on one database share the work
 * and every message reaches the mail server exactly once. On PostgreSQL they are two processes
 * (test/helpers/delivery-node.ts), each with its own runtime and connection pool, as two
 * servers would be; SQLite serves one process, so there they are two workers in this process
 * on the one database file.
 *
 * Nothing waits for time: the SMTP server holds every message until it has seen one from each
 * worker (they name themselves in EHLO), so both are provably sending at once, each with a
 * claim of its own, before anything is acknowledged.
 */
describe(`two delivery workers on one database (${ENGINE})`, () => {
  let smtp: TestSmtp;
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let dataDir = '';

  before(async () => {
    smtp = await new TestSmtp().listen();
    h = await startWithAdmin({ env: { PIM_SMTP_URL: smtp.url } });
    dataDir = mkdtempSync(path.join(tmpdir(), 'openpim-nodes-'));
  });
  after(async () => {
    await h?.close();
    await smtp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** One worker in a process of its own; resolves when it is ready, with a function that starts its pass. */
  const startNode = async (name: string): Promise<{ go(): Promise<TickCounts> }> => {
    const env = {
      PATH: process.env.PATH ?? '', PIM_DATABASE_URL: h.config.databaseUrl, PIM_SMTP_URL: `${smtp.url}/?name=${name}`,
      PIM_LOG_LEVEL: 'silent', PIM_SECRET_KEY: randomBytes(32).toString('base64'), PIM_DATA_DIR: path.join(dataDir, name),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', NODE_SCRIPT, `--now=${h.clock.nowMs()}`, `--pg-schema=${h.db.pgSchema!}`], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, unknown>> => {
      const line = await lines.next();
      if (line.done === true) throw new Error(`${name} ended early (exit ${String(await exited)}): ${stderr}`);
      return JSON.parse(line.value) as Record<string, unknown>;
    };
    assert.deepEqual(await next(), { ready: true });
    return {
      go: async () => {
        child.stdin.end('go\n');
        const { counts } = await next() as { counts: TickCounts };
        assert.equal(await exited, 0, stderr);
        return counts;
      },
    };
  };

  test('a few hundred mails: each sent by one worker, received once, recorded sent once', { timeout: 60_000 }, async (t) => {
    // Events: a group of MEMBERS people made eligible for ROLES roles; each assignment mails the
    // administrator and every member. The bootstrap's two assignments mailed the administrator twice each.
    const members = await group(h.admin, true, 'Night shift');
    for (let i = 0; i < MEMBERS; i++) {
      const u = await h.admin.post('/api/v1/users', { userPrincipalName: `night${i}@example.com`, displayName: `Night ${i}` });
      assert.equal(u.status, 201, JSON.stringify(u.body));
      assert.equal((await h.admin.post(`/api/v1/groups/${members}/members`, { id: u.body.id })).status, 201);
    }
    for (let r = 0; r < ROLES; r++) {
      const role = await h.admin.post('/api/v1/roles', { displayName: `Night role ${r}`, permissions: [`night:shift${r}`] });
      assert.equal(role.status, 201, JSON.stringify(role.body));
      await assign(h.admin, members, role.body.id, { kind: 'eligible', permanent: true });
    }
    const expected = 2 * 2 + ROLES * (1 + MEMBERS);
    const db = h.rt.deps.db;
    const events = (await db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute()).length;

    // Hold every message until both workers have one at the server.
    const clients = new Set<string>();
    let bothSending!: () => void;
    const barrier = new Promise<void>((resolve) => { bothSending = resolve; });
    smtp.hold = (m) => {
      clients.add(m.client);
      if (clients.size === 2) bothSending();
      return barrier;
    };

    let counts: TickCounts[];
    if (ENGINE === 'postgres') {
      const [a, b] = await Promise.all([startNode('node-a'), startNode('node-b')]);
      counts = await Promise.all([a.go(), b.go()]);
    } else {
      const from = h.config.delivery.mailFrom;
      const workers = ['node-a', 'node-b'].map((name) => new DeliveryWorker(h.system, { mail: smtpTransport(`${smtp.url}/?name=${name}`, from) }));
      try {
        counts = (await Promise.all(workers.map((w) => w.tick()))).map((c) => { assert.ok(c, 'a pass failed'); return c; });
      } finally {
        for (const w of workers) await w.stop();
      }
    }

    // The database: every event fanned out once, every delivery sent after exactly one attempt.
    assert.equal((await db.selectFrom('outbox').select('id').where('status', '!=', 'sent').execute()).length, 0, 'every event handed on');
    const deliveries = await db.selectFrom('deliveries').select(['id', 'status', 'attempts']).execute();
    assert.equal(deliveries.length, expected, 'one delivery per message and address, though both workers fanned out');
    assert.deepEqual(deliveries.filter((d) => d.status !== 'sent' || d.attempts !== 1), [], 'all sent, each on its first attempt');

    // The mail server: each delivery's Message-ID exactly once.
    const received = smtp.mails.map((m) => m.messageId);
    assert.equal(received.length, expected);
    assert.equal(new Set(received).size, expected, 'no message twice');
    assert.deepEqual([...received].sort(), deliveries.map((d) => `<${d.id}@openpim>`).sort());

    // Both did a share, and each worker's own account matches what the server got from it.
    assert.deepEqual([...clients].sort(), ['node-a', 'node-b']);
    assert.equal(counts[0]!.sent + counts[1]!.sent, expected);
    assert.equal(counts[0]!.failed + counts[1]!.failed, 0);
    assert.equal(counts[0]!.events + counts[1]!.events, events, 'each event fanned out by one of them');
    for (const [i, name] of ['node-a', 'node-b'].entries()) {
      assert.equal(smtp.mails.filter((m) => m.client === name).length, counts[i]!.sent, name);
    }
    t.diagnostic(`node-a: ${JSON.stringify(counts[0])}, node-b: ${JSON.stringify(counts[1])}`);
  });
});
