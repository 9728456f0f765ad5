// Journal retention: entries older than the retention period are written to an archive file
// (JSON lines, one file per chain and range), then purged in one transaction with a signed
// checkpoint recording the last purged entry's sequence and hash and the file's SHA-256. The
// chain stays verifiable from the checkpoint on; the archive, up to it.
import crypto from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { sql } from 'kysely';
import type { Db } from '../context.js';
import type { Clock } from '../platform/clock.js';
import { canonicalJson, chainHash, entryContent, GENESIS } from './chain.js';
import type { JournalTables } from './tables.js';

export const RETENTION_TASK = 'journal_retention';
export const RETENTION_CRONTAB = `15 2 * * * ${RETENTION_TASK} ?fill=2d&max=1`;

export function checkpointKey(config: {
  journalSigningKey: string | undefined;
  sessionSecret: string;
}): string {
  return (
    config.journalSigningKey ??
    crypto.createHmac('sha256', config.sessionSecret).update('journal-checkpoint-key').digest('base64url')
  );
}

export interface CheckpointContent {
  chain: string;
  seq: number;
  hash: string;
  entries: number;
  firstSeq: number;
  archiveFile: string;
  archiveSha256: string;
  createdAt: Date;
}

export function signCheckpoint(key: string, c: CheckpointContent): string {
  return crypto
    .createHmac('sha256', key)
    .update(canonicalJson({ ...c, createdAt: c.createdAt.toISOString() }))
    .digest('hex');
}

export function checkpointValid(key: string, row: Omit<JournalTables['journal_checkpoints'], 'id'>): boolean {
  const expected = signCheckpoint(key, {
    chain: row.chain,
    seq: row.seq,
    hash: row.hash,
    entries: row.entries,
    firstSeq: row.first_seq,
    archiveFile: row.archive_file,
    archiveSha256: row.archive_sha256,
    createdAt: row.created_at,
  });
  return (
    expected.length === row.signature.length &&
    crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(row.signature))
  );
}

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  archiveDir: string;
  retentionDays: number;
  signingKey: string;
}

export interface PurgeResult {
  chains: number;
  entries: number;
  files: string[];
}

const fileNameOf = (chain: string, from: number, to: number) =>
  `journal-${chain.replace(/[^A-Za-z0-9-]/g, '_')}-${from}-${to}.jsonl`;

/** Archives then purges every chain's entries older than the retention period. */
export async function purgeJournal(deps: RetentionDeps): Promise<PurgeResult> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - deps.retentionDays * 86_400_000);
  const chains = await deps.db
    .selectFrom('journal_entries')
    .select(['chain', (eb) => eb.fn.max('seq').as('upto'), (eb) => eb.fn.min('seq').as('from')])
    .where('at', '<', cutoff)
    .groupBy('chain')
    .execute();
  const result: PurgeResult = { chains: 0, entries: 0, files: [] };
  await fs.mkdir(deps.archiveDir, { recursive: true });
  for (const { chain, upto, from } of chains) {
    const rows = await deps.db
      .selectFrom('journal_entries')
      .selectAll()
      .where('chain', '=', chain)
      .where('seq', '<=', Number(upto))
      .orderBy('seq')
      .execute();
    if (rows.length === 0) continue;
    const first = rows[0] as (typeof rows)[number];
    const last = rows[rows.length - 1] as (typeof rows)[number];
    const name = fileNameOf(chain, Number(from), last.seq);
    const file = path.join(deps.archiveDir, name);
    const text = `${rows.map((r) => JSON.stringify({ ...r, at: r.at.toISOString() })).join('\n')}\n`;
    // Written and flushed before the purge: a crash in between leaves the file, not a gap.
    const handle = await fs.open(`${file}.tmp`, 'w', 0o600);
    await handle.writeFile(text);
    await handle.sync();
    await handle.close();
    await fs.rename(`${file}.tmp`, file);
    const content: CheckpointContent = {
      chain,
      seq: last.seq,
      hash: last.hash,
      entries: rows.length,
      firstSeq: first.seq,
      archiveFile: name,
      archiveSha256: crypto.createHash('sha256').update(text).digest('hex'),
      createdAt: now,
    };
    await deps.db.transaction().execute(async (trx) => {
      await sql`set local journal.purge = 'on'`.execute(trx);
      await trx
        .insertInto('journal_checkpoints')
        .values({
          chain,
          seq: content.seq,
          hash: content.hash,
          entries: content.entries,
          first_seq: content.firstSeq,
          archive_file: content.archiveFile,
          archive_sha256: content.archiveSha256,
          created_at: now,
          signature: signCheckpoint(deps.signingKey, content),
        })
        .execute();
      await trx
        .deleteFrom('journal_entries')
        .where('chain', '=', chain)
        .where('seq', '<=', last.seq)
        .execute();
    });
    result.chains++;
    result.entries += rows.length;
    result.files.push(name);
  }
  return result;
}

/**
 * Checks one archive file against its checkpoint: SHA-256, and the hash chain inside it from the
 * previous checkpoint (or the chain's start) up to the checkpoint's hash.
 */
export async function verifyArchive(
  archiveDir: string,
  checkpoint: {
    chain: string;
    seq: number;
    hash: string;
    first_seq: number;
    archive_file: string;
    archive_sha256: string;
  },
  previousHash: string = GENESIS,
): Promise<{ ok: boolean; reason?: string }> {
  const file = path.join(archiveDir, path.basename(checkpoint.archive_file));
  const data = await fs.readFile(file).catch(() => undefined);
  if (!data) return { ok: false, reason: `archive introuvable : ${checkpoint.archive_file}` };
  if (crypto.createHash('sha256').update(data).digest('hex') !== checkpoint.archive_sha256) {
    return { ok: false, reason: `archive modifiée : ${checkpoint.archive_file}` };
  }
  let prev = previousHash;
  let seq = checkpoint.first_seq - 1;
  const lines = readline.createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (!line) continue;
    const r = JSON.parse(line);
    if (r.seq !== seq + 1 || r.prev_hash !== prev)
      return { ok: false, reason: `chaîne rompue dans l’archive à la séquence ${r.seq}` };
    const hash = chainHash(
      prev,
      entryContent({
        chain: r.chain,
        at: new Date(r.at),
        actorId: r.actor_id,
        onBehalfOfId: r.on_behalf_of_id,
        delegationId: r.delegation_id,
        dossierId: r.dossier_id,
        action: r.action,
        outcome: r.outcome,
        details: r.details,
      }),
    );
    if (hash !== r.hash)
      return { ok: false, reason: `entrée modifiée dans l’archive à la séquence ${r.seq}` };
    prev = hash;
    seq = r.seq;
  }
  if (seq !== checkpoint.seq || prev !== checkpoint.hash) return { ok: false, reason: 'archive incomplète' };
  return { ok: true };
}
