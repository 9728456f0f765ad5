// A hot statement is built and compiled once, prepared once per connection, and reads the
// database afresh at every run: what changed or was deleted since the last run is seen.
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/server/context.js';
import { createDb, createPool } from '../../src/server/platform/database.js';
import { prepareStatement } from '../../src/server/platform/prepared.js';
import { createTestDatabase } from '../helpers/db.js';

describe('prepared statements', async () => {
  const database = await createTestDatabase();
  // One connection: the statement is prepared on it, and pg_prepared_statements shows it.
  const pool = createPool(database.url, 1);
  const deps = { db: createDb<Database>(pool), pool };
  afterAll(async () => {
    await deps.db.destroy();
    await database.close();
  });

  let builds = 0;
  const byPrefix = prepareStatement('test_users', 2, (db: Kysely<Database>, prefix: string, after: Date) => {
    builds++;
    return db
      .selectFrom('users')
      .select(['subject_name_id', 'family_name'])
      .where('subject_name_id', 'like', prefix)
      .where('created_at', '>', after)
      .where('card_type', '=', 'CPS')
      .orderBy('subject_name_id');
  });

  const insert = (id: string, name: string) =>
    deps.db
      .insertInto('users')
      .values({ subject_name_id: id, family_name: name, given_name: 'X', card_type: 'CPS' } as never)
      .execute();

  it('reads afresh at every run, with the arguments of that run', async () => {
    const epoch = new Date(0);
    await insert('8990000000001', 'AVANT');
    expect(await byPrefix.run(deps, '8990%', epoch)).toEqual([
      { subject_name_id: '8990000000001', family_name: 'AVANT' },
    ]);
    await deps.db
      .updateTable('users')
      .set({ family_name: 'APRES' })
      .where('subject_name_id', '=', '8990000000001')
      .execute();
    await insert('8990000000002', 'NOUVEAU');
    expect(await byPrefix.run(deps, '8990%', epoch)).toEqual([
      { subject_name_id: '8990000000001', family_name: 'APRES' },
      { subject_name_id: '8990000000002', family_name: 'NOUVEAU' },
    ]);
    await deps.db.deleteFrom('users').where('subject_name_id', '=', '8990000000001').execute();
    expect(await byPrefix.run(deps, '8990%', epoch)).toEqual([
      { subject_name_id: '8990000000002', family_name: 'NOUVEAU' },
    ]);
    expect(await byPrefix.run(deps, '8990%', new Date(Date.now() + 60_000))).toEqual([]);
    expect(await byPrefix.run(deps, '7%', epoch)).toEqual([]);
  });

  it('is built once and prepared once on the connection', async () => {
    for (let i = 0; i < 5; i++) await byPrefix.run(deps, `${i}%`, new Date(0));
    expect(builds).toBe(1);
    const { name, sql } = byPrefix.compiled(deps.db);
    expect(sql).toMatch(/"subject_name_id" like \$1 and "created_at" > \$2 and "card_type" = \$3/);
    const { rows } = await pool.query<{ n: number }>(
      'select count(*)::int as n from pg_prepared_statements where name = $1',
      [name],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('refuses a statement that leaves an argument unused', async () => {
    const wrong = prepareStatement('test_wrong', 2, (db: Kysely<Database>, id: string, _unused: string) =>
      db.selectFrom('users').select('id').where('subject_name_id', '=', id),
    );
    await expect(wrong.run(deps, 'a', 'b')).rejects.toThrow('test_wrong: 1 arguments used of 2');
  });
});
