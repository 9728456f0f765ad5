// Hot statements compiled once: written with Kysely (typed), compiled at their first use, then
// run as named prepared statements of `pg` (each connection parses and plans them once). Only
// the SQL is kept: every run reads the database afresh (nothing read is cached here).
import crypto from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type pg from 'pg';

/** Stands for the i-th argument while the statement is compiled. */
class Placeholder {
  constructor(readonly index: number) {}
}

export interface PreparedStatement<DB, Args extends unknown[], Row> {
  /** The rows, read now (outside any transaction: one statement, autocommit). */
  run(deps: { db: Kysely<DB>; pool: pg.Pool }, ...args: Args): Promise<Row[]>;
  /** The SQL and the place of each argument (for tests and EXPLAIN). */
  compiled(db: Kysely<DB>): { sql: string; name: string };
}

/**
 * `build` receives one stand-in per argument and returns the query; it is called once. A
 * stand-in may only be used where a value goes (a comparison, a value to insert), not to choose
 * the shape of the query.
 */
export function prepareStatement<DB, Args extends unknown[], Row>(
  label: string,
  arity: Args['length'],
  build: (db: Kysely<DB>, ...args: Args) => Compilable<Row>,
): PreparedStatement<DB, Args, Row> {
  let statement: { name: string; sql: string; values: (Placeholder | unknown)[] } | undefined;
  const compile = (db: Kysely<DB>) => {
    if (statement) return statement;
    const stand = Array.from({ length: arity as number }, (_, i) => new Placeholder(i)) as unknown as Args;
    const query: CompiledQuery<Row> = build(db, ...stand).compile();
    const used = new Set(query.parameters.filter((p) => p instanceof Placeholder).map((p) => p.index));
    if (used.size !== arity) throw new Error(`${label}: ${used.size} arguments used of ${arity}`);
    // The name changes with the SQL: a connection never holds two texts under one name.
    const digest = crypto.createHash('sha256').update(query.sql).digest('hex').slice(0, 12);
    statement = { name: `${label}_${digest}`, sql: query.sql, values: [...query.parameters] };
    return statement;
  };
  return {
    async run(deps, ...args) {
      const s = compile(deps.db);
      const values = s.values.map((v) => (v instanceof Placeholder ? args[v.index] : v));
      const result = await deps.pool.query({ name: s.name, text: s.sql, values });
      return result.rows as Row[];
    },
    compiled(db) {
      const s = compile(db);
      return { sql: s.sql, name: s.name };
    },
  };
}
