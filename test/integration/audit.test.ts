import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { AUDIT_CSV_COLUMNS } from '../../src/contract/audit.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { exportAudit } from '../../src/services/export-audit.ts';
import { AUDIT_WALKS_PER_MINUTE } from '../../src/http/routes/audit.ts';
import { DENIED_AUDITS_PER_MINUTE } from '../../src/services/denied-audit-budget.ts';
import { ENGINE, startWithAdmin, type Api, type Paged, type Res } from '../helpers/harness.ts';
import { userWithToken } from '../helpers/factories.ts';

type H = Awaited<ReturnType<typeof startWithAdmin>>;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every page of a list endpoint, following nextCursor. */
async function allPages(api: Api, url: string, limit = 500): Promise<any[]> {
  const items: Paged['items'] = [];
  let cursor: string | null = null;
  do {
    const r: Res<Paged> = await api.get(`${url}${url.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return items;
}

/** A small RFC 4180 reader: enough to prove the export round-trips (quotes, commas, "" escapes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  assert.equal(field + row.join(''), '', 'the CSV ends with a newline');
  return rows;
}

/** `pim audit …` in a child process against the harness's database (SQLite only: a per-test PostgreSQL schema has no URL). */
function pim(h: H, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/pim.mjs', ...args], { cwd: ROOT, env: { ...process.env, PIM_DATABASE_URL: h.db.url, PIM_LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function collect(chunks: AsyncGenerator<string>): Promise<string> {
  let s = '';
  for await (const c of chunks) s += c;
  return s;
}

describe(`audit (${ENGINE})`, () => {
  let h: H;
  let bob: Awaited<ReturnType<typeof userWithToken>>;
  let carol: Awaited<ReturnType<typeof userWithToken>>;
  let t0: string;
  let t1: string;
  before(async () => {
    h = await startWithAdmin();
    bob = await userWithToken(h.admin);
    h.clock.advance(3600_000);
    t0 = h.clock.now().toISOString();
    carol = await userWithToken(h.admin);
    for (let i = 0; i < 4; i++) await h.admin.post('/api/v1/users', { userPrincipalName: `filler${i}@example.com`, displayName: `Filler ${i}` });
    h.clock.advance(3600_000);
    t1 = h.clock.now().toISOString();
    assert.equal((await bob.api.post('/api/v1/tokens', { name: 'bob-own' })).status, 201, 'bob acts once himself');
    assert.equal((await h.admin.patch(`/api/v1/users/${bob.id}`, { displayName: 'Bob B.' })).status, 200);
  });
  after(async () => { await h.close(); });

  test('lists newest first, pages by cursor, and filters', async () => {
    const all = await allPages(h.admin, '/api/v1/audit');
    const seqs = all.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
    assert.equal(new Set(seqs).size, seqs.length);
    assert.deepEqual((await allPages(h.admin, '/api/v1/audit', 3)).map((e) => e.seq), seqs, 'small pages see the same events, none twice');

    const created = await allPages(h.admin, '/api/v1/audit?action=user.created');
    assert.equal(created.length, 1 + 2 + 4, 'the admin (bootstrap), bob, carol and four fillers');
    assert.ok(created.every((e) => e.action === 'user.created' && e.target.type === 'user' && e.outcome === 'success'));
    const schedules = await allPages(h.admin, '/api/v1/audit?action=schedule.*');
    assert.equal(schedules.length, 2, 'the bootstrap schedules, by prefix');
    assert.equal((await allPages(h.admin, '/api/v1/audit?action=schedule.')).length, 0, 'without * the action is exact');
    const ga = await allPages(h.admin, `/api/v1/audit?roleId=${ROLE.globalAdministrator}`);
    assert.deepEqual(ga.map((e) => [e.action, e.roleId]), [['schedule.active.created', ROLE.globalAdministrator]]);

    const aboutBob = await allPages(h.admin, `/api/v1/audit?targetType=user&targetId=${bob.id}`);
    assert.deepEqual(aboutBob.map((e) => e.action), ['user.updated', 'user.created']);
    assert.deepEqual(aboutBob[0].before, { displayName: bob.upn.split('@')[0] });
    assert.deepEqual(aboutBob[0].after, { displayName: 'Bob B.' });
    const byBob = await allPages(h.admin, `/api/v1/audit?actorId=${bob.id}`);
    assert.deepEqual(byBob.map((e) => e.action), ['token.created']);
    assert.deepEqual(byBob[0].actor, { id: bob.id, type: 'user' });

    const window = await allPages(h.admin, `/api/v1/audit?from=${encodeURIComponent(t0)}&to=${encodeURIComponent(t1)}`);
    assert.ok(window.length > 0 && window.every((e) => e.at >= t0 && e.at < t1), 'from is inclusive, to exclusive');
    assert.ok(window.some((e) => e.target?.id === carol.id) && !window.some((e) => e.target?.id === bob.id));
    const combined = await allPages(h.admin, `/api/v1/audit?from=${encodeURIComponent(t0)}&action=user.created`);
    assert.equal(combined.length, 5, 'filters combine with AND');
    assert.equal((await allPages(h.admin, '/api/v1/audit?outcome=failure')).length, 0);

    for (const [q, code] of [
      ['from=yesterday', 'request.invalid'], ['to=2026-13-01T00:00:00Z', 'request.invalid'], ['outcome=maybe', 'request.invalid'],
      ['limit=501', 'request.invalid'], ['limit=0', 'request.invalid'], ['action=a*b', 'request.invalid'], ['actorId=has%20space', 'request.invalid'],
      ['cursor=garbage', 'request.invalid_cursor'], [`cursor=${Buffer.from('{"k":"x","id":"y"}').toString('base64url')}`, 'request.invalid_cursor'],
      [`from=${encodeURIComponent(t1)}&to=${encodeURIComponent(t0)}`, 'audit.invalid_range'], ['sort=asc', 'request.unknown_field'],
    ]) {
      const r = await h.admin.get(`/api/v1/audit?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error.code, code, q);
      assert.equal(typeof r.body.error.message, 'string');
      assert.equal(typeof r.body.error.details, 'object');
    }
  });

  test('my audit shows only events the caller did or was the target of', async () => {
    const mine = await allPages(bob.api, '/api/v1/me/audit');
    assert.ok(mine.length >= 3);
    assert.ok(mine.every((e) => e.actor.id === bob.id || e.target?.id === bob.id), JSON.stringify(mine.map((e) => e.action)));
    assert.deepEqual(new Set(mine.map((e) => e.action)), new Set(['user.created', 'token.created', 'user.updated']));
    assert.deepEqual((await allPages(bob.api, '/api/v1/me/audit?action=token.created')).map((e) => e.actor.id), [bob.id], 'filters apply too');
    const carols = await allPages(carol.api, '/api/v1/me/audit');
    assert.ok(carols.length >= 1 && carols.every((e) => e.actor.id === carol.id || e.target?.id === carol.id));
    assert.ok(!carols.some((e) => e.target?.id === bob.id || e.actor.id === bob.id), 'nothing of bob\'s');
    assert.deepEqual((await allPages(bob.api, '/api/v1/me/audit', 1)).map((e) => e.seq), mine.map((e) => e.seq));
    assert.equal((await bob.api.get('/api/v1/me/audit?outcome=nope')).status, 400);
    assert.equal((await h.anon.get('/api/v1/me/audit')).status, 401);
  });

  test('non-readers get 403, and the refusal itself is in the chain', async () => {
    for (const url of ['/api/v1/audit', '/api/v1/audit/export?format=csv', '/api/v1/audit/verify']) {
      const r = await bob.api.get(url);
      assert.equal(r.status, 403, url);
      assert.equal(r.body.error.code, 'auth.forbidden');
    }
    assert.equal((await h.anon.get('/api/v1/audit')).status, 401);
    const denied = await allPages(h.admin, `/api/v1/audit?action=authorization.denied&actorId=${bob.id}`);
    assert.deepEqual(denied.map((e) => e.after.attempted), ['GET /api/v1/audit/verify', 'GET /api/v1/audit/export', 'GET /api/v1/audit']);
    assert.ok(denied.every((e) => e.outcome === 'failure' && e.after.reason === 'role_required' && e.actor.type === 'user'));
    assert.deepEqual((await allPages(h.admin, '/api/v1/audit?outcome=failure')).map((e) => e.id), denied.map((e) => e.id));
    const mine = await allPages(bob.api, '/api/v1/me/audit?action=authorization.denied');
    assert.equal(mine.length, 3, 'bob sees his own refusals');
  });

  test('exports stream CSV and JSON Lines holding the same events', async () => {
    const all = (await allPages(h.admin, '/api/v1/audit')).reverse();
    const jl = await h.admin.get('/api/v1/audit/export?format=jsonl');
    assert.equal(jl.status, 200);
    assert.match(String(jl.headers['content-type']), /^application\/x-ndjson/);
    assert.match(String(jl.headers['content-disposition']), /^attachment; filename="openpim-audit-.+\.jsonl"$/);
    const lines = String(jl.body).split('\n');
    assert.equal(lines.pop(), '', 'every line ends with a newline');
    assert.deepEqual(lines.map((l) => JSON.parse(l)), all, 'oldest first, exactly the listed events');

    const csv = await h.admin.get('/api/v1/audit/export?format=csv');
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /^attachment; filename="openpim-audit-.+\.csv"$/);
    const rows = parseCsv(String(csv.body));
    assert.deepEqual(rows[0], [...AUDIT_CSV_COLUMNS]);
    assert.equal(rows.length - 1, all.length);
    const col = (name: string) => AUDIT_CSV_COLUMNS.indexOf(name as (typeof AUDIT_CSV_COLUMNS)[number]);
    assert.deepEqual(rows.slice(1).map((r) => [Number(r[col('seq')]), r[col('hash')], r[col('action')]]), all.map((e) => [e.seq, e.hash, e.action]));
    const updated = rows.find((r) => r[col('action')] === 'user.updated')!;
    assert.deepEqual(JSON.parse(updated[col('after')]!), { displayName: 'Bob B.' }, 'before/after hold JSON text');

    const filtered = await h.admin.get(`/api/v1/audit/export?format=csv&action=user.*&targetId=${bob.id}`);
    assert.equal(parseCsv(String(filtered.body)).length - 1, 2);
    const none = await h.admin.get('/api/v1/audit/export?format=csv&actorId=nobody');
    assert.deepEqual(parseCsv(String(none.body)), [[...AUDIT_CSV_COLUMNS]], 'an empty export is still a CSV with its header');
    for (const q of ['', 'format=xml', 'format=csv&from=nope', `format=jsonl&from=${encodeURIComponent(t1)}&to=${encodeURIComponent(t0)}`]) {
      const r = await h.admin.get(`/api/v1/audit/export?${q}`);
      assert.equal(r.status, 400, q);
      assert.ok(r.body.error.code, q);
    }

    // Batches smaller than the log prove the keyset iteration crosses batch edges without loss or repeats.
    for (const size of [1, 2, 7]) {
      const text = await collect(exportAudit(h.system, { format: 'jsonl' }, size).chunks);
      assert.deepEqual(text.trimEnd().split('\n').map((l) => JSON.parse(l).seq), all.map((e) => e.seq), `batch size ${size}`);
    }

    if (ENGINE === 'sqlite') {
      const out = await pim(h, ['audit', 'export', '--format', 'jsonl', '--local']);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(out.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).hash), all.map((e) => e.hash));
      const dir = mkdtempSync(path.join(tmpdir(), 'openpim-export-'));
      try {
        const file = path.join(dir, 'audit.csv');
        const toFile = await pim(h, ['audit', 'export', '--format', 'csv', '--action', 'user.created', '--out', file, '--local']);
        assert.equal(toFile.code, 0, toFile.stderr);
        assert.equal(toFile.stdout, '');
        assert.equal(parseCsv(readFileSync(file, 'utf8')).length - 1, 7);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      assert.notEqual((await pim(h, ['audit', 'export', '--format', 'xml', '--local'])).code, 0);
    }
  });

  test('verify reports an intact chain', async () => {
    const all = await allPages(h.admin, '/api/v1/audit');
    const r = await h.admin.get('/api/v1/audit/verify');
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
    assert.equal(r.body.firstBreak, null);
    assert.equal(r.body.events, all.length);
    assert.equal(r.body.lastSeq, all[0].seq);
    assert.equal(r.body.lastHash, all[0].hash);
    if (ENGINE === 'sqlite') {
      const cli = await pim(h, ['audit', 'verify', '--local', '--json']);
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(JSON.parse(cli.stdout).ok, true);
      // A wrong path is an error, never a new empty database that verifies as intact.
      const dir = mkdtempSync(path.join(tmpdir(), 'openpim-missing-'));
      try {
        const missing = path.join(dir, 'nowhere', 'openpim.db');
        const wrong = await pim(h, ['audit', 'verify', '--local', '--json'], { PIM_DATABASE_URL: `sqlite:${missing}` });
        assert.equal(wrong.code, 2, wrong.stderr);
        assert.match(wrong.stderr, /No database at .*openpim\.db/);
        assert.equal(wrong.stdout, '');
        assert.equal(existsSync(missing), false, 'nothing was created');
        const exportWrong = await pim(h, ['audit', 'export', '--format', 'jsonl', '--local'], { PIM_DATABASE_URL: `sqlite:${missing}` });
        assert.equal(exportWrong.code, 2, exportWrong.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('verify and export are capped per caller (each walks the whole log)', async () => {
    h.clock.advance(61_000); // a fresh window: the tests above verified and exported too
    for (const url of ['/api/v1/audit/verify', '/api/v1/audit/export?format=jsonl']) {
      for (let i = 0; i < AUDIT_WALKS_PER_MINUTE; i++) assert.equal((await h.admin.get(url)).status, 200, `${url}: call ${i + 1}`);
      const over = await h.admin.get(url);
      assert.equal(over.status, 429, url);
      assert.equal(over.body.error.code, 'request.rate_limited');
      assert.match(over.body.error.message, /retry/);
    }
    const other = await h.admin.post('/api/v1/tokens', { name: 'another reader', scopes: ['api'] });
    assert.equal((await h.anon.as(other.body.token).get('/api/v1/audit/verify')).status, 200, 'another caller has its own budget');
    h.clock.advance(61_000);
    assert.equal((await h.admin.get('/api/v1/audit/verify')).status, 200, 'the window moves with the clock');
  });
});

describe(`audit tampering is detected (${ENGINE})`, () => {
  /** A fresh chain of a dozen events; returns the harness and the seqs in order. */
  async function chain(): Promise<{ h: H; seqs: number[] }> {
    const h = await startWithAdmin();
    for (let i = 0; i < 6; i++) await h.admin.post('/api/v1/users', { userPrincipalName: `t${i}@example.com`, displayName: `T ${i}` });
    const all = await allPages(h.admin, '/api/v1/audit');
    const seqs = all.map((e) => e.seq).reverse();
    assert.ok(seqs.length >= 10);
    assert.equal((await h.admin.get('/api/v1/audit/verify')).body.ok, true);
    return { h, seqs };
  }

  async function expectBreak(h: H, seq: number, reason: string): Promise<void> {
    const r = await h.admin.get('/api/v1/audit/verify');
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, false);
    assert.equal(r.body.firstBreak.seq, seq, JSON.stringify(r.body));
    assert.equal(r.body.firstBreak.reason, reason);
    assert.equal(r.body.events, r.body.lastSeq, 'every event before the break verifies');
    if (ENGINE === 'sqlite') {
      const cli = await pim(h, ['audit', 'verify', '--local', '--json']);
      assert.equal(cli.code, 4, cli.stderr);
      assert.equal(JSON.parse(cli.stdout).firstBreak.seq, seq);
    }
  }

  test('an edited row is named (hash_mismatch)', async () => {
    const { h, seqs } = await chain();
    try {
      const db = h.rt.deps.db;
      const k = seqs[5]!;
      const orig = await db.selectFrom('audit_events').select(['after_json', 'justification']).where('seq', '=', k).executeTakeFirstOrThrow();
      await db.updateTable('audit_events').set({ after_json: '{"displayName":"Mallory"}' }).where('seq', '=', k).execute();
      await expectBreak(h, k, 'hash_mismatch');
      await db.updateTable('audit_events').set({ after_json: orig.after_json }).where('seq', '=', k).execute();
      assert.equal((await h.admin.get('/api/v1/audit/verify')).body.ok, true, 'restored, the chain verifies again');
      const j = seqs[3]!;
      await sql`UPDATE audit_events SET justification = ${'nothing to see here'} WHERE seq = ${j}`.execute(db);
      await expectBreak(h, j, 'hash_mismatch');
    } finally {
      await h.close();
    }
  });

  test('a deleted row is named by the next one (sequence_gap)', async () => {
    const { h, seqs } = await chain();
    try {
      await h.rt.deps.db.deleteFrom('audit_events').where('seq', '=', seqs[4]!).execute();
      await expectBreak(h, seqs[5]!, 'sequence_gap');
    } finally {
      await h.close();
    }
  });

  test('reordered rows break at the first swapped position', async () => {
    const { h, seqs } = await chain();
    try {
      const db = h.rt.deps.db;
      const [a, b] = [seqs[3]!, seqs[7]!];
      // seq is the primary key: park one row on a free value while the other moves.
      await db.updateTable('audit_events').set({ seq: -1 }).where('seq', '=', a).execute();
      await db.updateTable('audit_events').set({ seq: a }).where('seq', '=', b).execute();
      await db.updateTable('audit_events').set({ seq: b }).where('seq', '=', -1).execute();
      await expectBreak(h, a, 'prev_hash_mismatch');
    } finally {
      await h.close();
    }
  });
});

describe(`refused calls are audited up to a budget per caller (${ENGINE})`, () => {
  let h: H;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('a caller past the budget is still refused; one event says the rest of the minute was not written', async () => {
    const mallory = await userWithToken(h.admin);
    const flood = DENIED_AUDITS_PER_MINUTE + 15;
    for (let i = 0; i < flood; i++) assert.equal((await mallory.api.get('/api/v1/audit')).status, 403, `call ${i + 1}`);
    const events = await allPages(h.admin, `/api/v1/audit?actorId=${mallory.id}&outcome=failure`);
    const actions = events.map((e) => e.action);
    assert.equal(actions.filter((a) => a === 'authorization.denied').length, DENIED_AUDITS_PER_MINUTE);
    const throttled = events.filter((e) => e.action === 'authorization.denied.throttled');
    assert.equal(throttled.length, 1);
    assert.equal(throttled[0].after.perMinute, DENIED_AUDITS_PER_MINUTE);
    assert.equal(throttled[0].after.attempted, 'GET /api/v1/audit');

    // Another caller has its own budget; the next minute the caller's refusals are written again.
    const other = await userWithToken(h.admin);
    assert.equal((await other.api.get('/api/v1/audit')).status, 403);
    assert.equal((await allPages(h.admin, `/api/v1/audit?actorId=${other.id}&outcome=failure`)).length, 1);
    h.clock.advance(61_000);
    assert.equal((await mallory.api.get('/api/v1/audit/verify')).status, 403);
    const later = await allPages(h.admin, `/api/v1/audit?actorId=${mallory.id}&outcome=failure`);
    assert.equal(later.length, events.length + 1);
    assert.equal(later[0].after.attempted, 'GET /api/v1/audit/verify');
  });

  test('made-up tokens from one address: refused every time, audited up to the budget', async () => {
    const earlier = (await allPages(h.admin, '/api/v1/audit?outcome=failure')).length;
    for (let i = 0; i < DENIED_AUDITS_PER_MINUTE + 10; i++) {
      const r = await h.anon.as(`pim_${'x'.repeat(40)}${i}`).get('/api/v1/me/roles');
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 'auth.invalid_token');
    }
    const now = await allPages(h.admin, '/api/v1/audit?outcome=failure');
    assert.equal(now.length - earlier, DENIED_AUDITS_PER_MINUTE + 1, 'the budget, and one throttled event');
  });
});
