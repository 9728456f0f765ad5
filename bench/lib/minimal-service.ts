// The floor of `npm run bench:floor`: the least a service must do for the same two reads, written
// by hand with Fastify and `pg` (ordinary parameterised queries, one pool of the product's size,
// no logging, no session, no decision). Run as its own process, like the product.
//   GET /read/:id         the dossier row by primary key, as JSON
//   GET /read-insert/:id  the same, then one journal row inserted (autocommit: durable before the answer)
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 20),
  // Connections kept between the runs, as the product's pool keeps them (30 s).
  idleTimeoutMillis: 0,
});
// Its own chain in the same table, so that the insert pays the same indexes as the product's.
const chain = `floor:${process.pid}`;
let seq = 0;

const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));

const readDossier = async (id: string) =>
  (await pool.query('select * from dossiers where id = $1', [id])).rows[0] as
    | { id: string; owner_id: string }
    | undefined;

app.get<{ Params: { id: string } }>('/read/:id', async (request, reply) => {
  const row = await readDossier(request.params.id);
  return row ?? reply.status(404).send({ code: 'not_found' });
});

app.get<{ Params: { id: string }; Querystring: { actor?: string } }>(
  '/read-insert/:id',
  async (request, reply) => {
    const row = await readDossier(request.params.id);
    if (!row) return reply.status(404).send({ code: 'not_found' });
    await pool.query(
      `insert into journal_entries (chain, seq, at, actor_id, on_behalf_of_id, dossier_id, action, outcome,
         details, prev_hash, hash) values ($1, $2, now(), $3, $4, $5, 'dossier.read', 'allowed', '{}', '', '')`,
      [chain, ++seq, request.query.actor ?? null, row.owner_id, row.id],
    );
    return row;
  },
);

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
