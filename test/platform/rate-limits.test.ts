// Rate limits kept in PostgreSQL: one atomic count per request, whichever connection (node)
// makes it, or blocks of the count reserved by a node and answered from memory (never past the
// limit, whatever the number of nodes); fixed windows on the database's clock; only hashes stored; and the limits on the
// dossier and journal routes, answered with a French 429 `rate_limited`.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/platform/config.js';
import { createPool } from '../../src/server/platform/database.js';
import { hitRateLimit, SharedCounter } from '../../src/server/platform/rate-limit.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

const FRENCH_429 = /^Trop de requêtes : veuillez patienter \d+ seconde\(s\) avant de réessayer\.$/;

describe('rate-limit counters in PostgreSQL', async () => {
  const t = await createTestApp();
  // A second pool on the same database: what a second node is to the first.
  const other = createPool(t.database.url, 10);
  afterAll(async () => {
    await other.end();
    await t.close();
  });

  it('counts concurrent requests from two pools exactly once each', async () => {
    const caller = `address:10.0.0.${crypto.randomInt(255)}`;
    const counts = await Promise.all(
      Array.from({ length: 80 }, (_, i) => hitRateLimit(i % 2 ? other : t.ctx.pool, 'probe', caller, 60_000)),
    );
    expect(counts.map((c) => c.hits).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 80 }, (_, i) => i + 1),
    );
    for (const c of counts) {
      expect(c.resetsInMs).toBeGreaterThan(0);
      expect(c.resetsInMs).toBeLessThanOrEqual(60_000);
    }
    // Another limit, another caller: counted apart.
    expect((await hitRateLimit(other, 'probe-2', caller, 60_000)).hits).toBe(1);
    expect((await hitRateLimit(other, 'probe', `${caller}0`, 60_000)).hits).toBe(1);
  });

  it('starts a new window once the previous one has ended', async () => {
    const caller = `session:${crypto.randomUUID()}`;
    expect((await hitRateLimit(t.ctx.pool, 'short', caller, 400)).hits).toBe(1);
    expect((await hitRateLimit(other, 'short', caller, 400)).hits).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect((await hitRateLimit(other, 'short', caller, 400)).hits).toBe(1);
  });

  it('stores neither the address nor the session, and purges ended windows', async () => {
    await hitRateLimit(t.ctx.pool, 'visible?', 'address:192.0.2.77', 60_000);
    const rows = await sql<{ key: string }>`select key from rate_limits`.execute(t.ctx.db);
    expect(rows.rows.length).toBeGreaterThan(0);
    for (const r of rows.rows) expect(r.key).toMatch(/^[\w-]{43}$/);
    await sql`insert into rate_limits (key, hits, resets_at) values ('ended', 3, now() - interval '2 minutes')`.execute(
      t.ctx.db,
    );
    // A node's first count of the minute purges what has ended.
    const fresh = createPool(t.database.url, 1);
    await hitRateLimit(fresh, 'probe', 'address:192.0.2.1', 60_000);
    await expect
      .poll(
        async () => (await sql`select 1 from rate_limits where key = 'ended'`.execute(t.ctx.db)).rows.length,
      )
      .toBe(0);
    await fresh.end();
  });

  describe('a node reserving blocks of the count (SharedCounter)', () => {
    const stored = async (key: string) =>
      (await sql<{ hits: number }>`select hits from rate_limits where key = ${key}`.execute(t.ctx.db)).rows[0]
        ?.hits ?? 0;

    it('learns the count at a first hit, then answers from a reserved block without a write per hit', async () => {
      const node = new SharedCounter(t.ctx.pool);
      const key = `lease-${crypto.randomUUID()}`;
      const max = 300_000;
      expect((await node.hit(key, max, 60_000)).hits).toBe(1);
      expect(await stored(key)).toBe(1);
      // Then a block of min(max / 50, remaining / 100) = 2,999: 1,000 hits, one more statement.
      for (let i = 2; i <= 1000; i++) expect((await node.hit(key, max, 60_000)).hits).toBe(i);
      expect(await stored(key)).toBe(1 + 2999);
    });

    it('two nodes alternating never let a caller past the limit, and lose almost nothing of it', async () => {
      const a = new SharedCounter(t.ctx.pool);
      const b = new SharedCounter(other);
      const key = `two-nodes-${crypto.randomUUID()}`;
      const max = 300;
      const answers: number[] = [];
      for (let i = 0; i < 360; i++) answers.push((await (i % 2 ? b : a).hit(key, max, 60_000)).hits);
      const allowed = answers.filter((h) => h <= max).length;
      expect(allowed).toBeLessThanOrEqual(max);
      expect(allowed).toBeGreaterThanOrEqual(max - 2);
      expect(answers.slice(-20).every((h) => h > max)).toBe(true);
      // Each allowed hit had its own place in the database's count.
      expect(new Set(answers.filter((h) => h <= max)).size).toBe(allowed);
    });

    it('bursts from three nodes at once never get past the limit', async () => {
      const nodes = [new SharedCounter(t.ctx.pool), new SharedCounter(other), new SharedCounter(other)];
      const key = `burst-${crypto.randomUUID()}`;
      const max = 1000;
      let allowed = 0;
      for (let round = 0; round < 40; round++) {
        const answers = await Promise.all(
          Array.from({ length: 30 }, (_, i) => (nodes[i % 3] as SharedCounter).hit(key, max, 60_000)),
        );
        allowed += answers.filter((c) => c.hits <= max).length;
      }
      expect(allowed).toBeLessThanOrEqual(max);
      expect(allowed).toBeGreaterThan(max * 0.9);
    });

    it('a small limit (under 50) is always counted one by one; an ended window starts again', async () => {
      const node = new SharedCounter(t.ctx.pool);
      const key = `small-${crypto.randomUUID()}`;
      for (let i = 1; i <= 5; i++) {
        expect((await node.hit(key, 10, 400)).hits).toBe(i);
        expect(await stored(key)).toBe(i);
      }
      await new Promise((r) => setTimeout(r, 500));
      expect((await node.hit(key, 10, 400)).hits).toBe(1);
    });
  });

  it('reads RATE_LIMIT_FACTOR (1 by default, a positive integer)', () => {
    expect(loadConfig({}).rateLimitFactor).toBe(1);
    expect(loadConfig({ RATE_LIMIT_FACTOR: '1000' }).rateLimitFactor).toBe(1000);
    expect(() => loadConfig({ RATE_LIMIT_FACTOR: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_FACTOR: 'x' })).toThrow(/RATE_LIMIT_FACTOR/);
  });
});

describe('limits on the dossier and journal routes', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);

  it('a session gets 300 dossier requests a minute, all dossier routes together; then a French 429', async () => {
    const session = await sessionFor(t, martin.id);
    for (let i = 0; i < 300; i++) {
      const url = i % 3 === 0 ? '/api/dossiers' : '/api/access/contexts';
      const res = await t.app.inject({ url, headers: session.headers });
      expect(res.statusCode, `${i + 1}: ${url}`).toBe(200);
    }
    for (const url of [
      '/api/access/contexts',
      '/api/dossiers',
      '/api/dossiers/00000000-0000-4000-8000-000000000000',
    ]) {
      const res = await t.app.inject({ url, headers: session.headers });
      expect(res.statusCode, url).toBe(429);
      expect(res.json()).toMatchObject({ code: 'rate_limited' });
      expect(res.json().message).toMatch(FRENCH_429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The limit is the session's: another session of the same doctor is not held back by it.
    const second = await sessionFor(t, martin.id);
    expect((await t.app.inject({ url: '/api/dossiers', headers: second.headers })).statusCode).toBe(200);
  });

  it('a session gets 120 journal requests a minute; then a French 429', async () => {
    const session = await sessionFor(t, martin.id);
    for (let i = 0; i < 120; i++) {
      const url = i % 2 ? '/api/journal' : '/api/journal/actors';
      expect((await t.app.inject({ url, headers: session.headers })).statusCode, `${i + 1}`).toBe(200);
    }
    const res = await t.app.inject({ url: '/api/journal.csv', headers: session.headers });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ code: 'rate_limited' });
    expect(res.json().message).toMatch(FRENCH_429);
  });

  it('answers every other limit with the same code and a French message (invitation look-ups)', async () => {
    let last = await t.app.inject({ url: '/api/invitations/abc', remoteAddress: '10.7.7.7' });
    for (let i = 0; i < 25 && last.statusCode !== 429; i++)
      last = await t.app.inject({ url: '/api/invitations/abc', remoteAddress: '10.7.7.7' });
    expect(last.statusCode).toBe(429);
    expect(last.json()).toMatchObject({ code: 'rate_limited' });
    expect(last.json().message).toMatch(FRENCH_429);
  });
});
