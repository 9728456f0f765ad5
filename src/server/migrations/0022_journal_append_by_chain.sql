-- Appending to the journal (issue 13): the same chains, hashes and order as 0010's
-- journal_append, but a chain's head is advanced once per call instead of once per entry (its
-- first entry's upsert, then one update after its last), and the entries go in with one INSERT.
-- A batch of the hot path holds several entries of one chain when a secretary reads one
-- doctor's dossiers, which 0010 advanced one upsert at a time. The caller still sorts the
-- entries by chain, so that concurrent calls lock heads in one order; the hash is still
-- sha256(prev_hash || '\n' || content), the content computed by the application (journal/chain.ts).
create or replace function journal_append(p_entries jsonb) returns void language plpgsql as $$
declare
  genesis constant text := repeat('0', 64);
  e jsonb;
  v_chain text;
  v_seq bigint;
  v_prev text;
  v_hash text;
  -- The head was advanced past the entries of this chain written by the upsert (one).
  v_behind boolean := false;
  seqs bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
begin
  for e in select value from jsonb_array_elements(p_entries) loop
    if v_chain is distinct from e->>'chain' then
      if v_behind then
        update journal_heads set seq = v_seq, prev_hash = v_prev, hash = v_hash where chain = v_chain;
      end if;
      v_chain := e->>'chain';
      -- The chain's first entry in this call advances its head as 0010 did (a new chain starts
      -- after the genesis hash at sequence 1); the head stays locked until the transaction ends.
      insert into journal_heads as jh (chain, seq, prev_hash, hash)
      values (v_chain, 1, genesis,
              encode(sha256(convert_to(genesis || E'\n' || (e->>'content'), 'UTF8')), 'hex'))
      on conflict (chain) do update
        set seq = jh.seq + 1,
            prev_hash = jh.hash,
            hash = encode(sha256(convert_to(jh.hash || E'\n' || (e->>'content'), 'UTF8')), 'hex')
      returning jh.seq, jh.prev_hash, jh.hash into v_seq, v_prev, v_hash;
      v_behind := false;
    else
      -- The chain's next entries: chained here, the head written once at the end of the chain.
      v_prev := v_hash;
      v_seq := v_seq + 1;
      v_hash := encode(sha256(convert_to(v_prev || E'\n' || (e->>'content'), 'UTF8')), 'hex');
      v_behind := true;
    end if;
    seqs := seqs || v_seq;
    prevs := prevs || v_prev;
    hashes := hashes || v_hash;
  end loop;
  if v_behind then
    update journal_heads set seq = v_seq, prev_hash = v_prev, hash = v_hash where chain = v_chain;
  end if;
  insert into journal_entries
    (chain, seq, at, actor_id, on_behalf_of_id, delegation_id, dossier_id, action, outcome, details, prev_hash, hash)
  select x.e->>'chain', y.seq, (x.e->>'at')::timestamptz, (x.e->>'actorId')::uuid, (x.e->>'onBehalfOfId')::uuid,
         (x.e->>'delegationId')::uuid, (x.e->>'dossierId')::uuid, x.e->>'action', x.e->>'outcome',
         coalesce(x.e->'details', '{}'::jsonb), y.prev, y.hash
    from jsonb_array_elements(p_entries) with ordinality as x(e, i)
    join unnest(seqs, prevs, hashes) with ordinality as y(seq, prev, hash, i) using (i)
   order by x.i;
end $$;
