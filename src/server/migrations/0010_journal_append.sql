-- Appending to the journal, one statement for any number of entries: for each entry (sorted by
-- chain by the caller, so that concurrent appends lock chain heads in one order), advance the
-- chain head and insert the entry with its hash over the previous hash and the canonical content
-- computed by the application (see journal/chain.ts: sha256(prev_hash || '\n' || content)).
create function journal_append(p_entries jsonb) returns void language plpgsql as $$
declare
  e jsonb;
  h record;
  genesis constant text := repeat('0', 64);
begin
  for e in select value from jsonb_array_elements(p_entries) loop
    insert into journal_heads as jh (chain, seq, prev_hash, hash)
    values (e->>'chain', 1, genesis,
            encode(sha256(convert_to(genesis || E'\n' || (e->>'content'), 'UTF8')), 'hex'))
    on conflict (chain) do update
      set seq = jh.seq + 1,
          prev_hash = jh.hash,
          hash = encode(sha256(convert_to(jh.hash || E'\n' || (e->>'content'), 'UTF8')), 'hex')
    returning seq, prev_hash, hash into h;
    insert into journal_entries
      (chain, seq, at, actor_id, on_behalf_of_id, delegation_id, dossier_id, action, outcome, details, prev_hash, hash)
    values (e->>'chain', h.seq, (e->>'at')::timestamptz, (e->>'actorId')::uuid, (e->>'onBehalfOfId')::uuid,
            (e->>'delegationId')::uuid, (e->>'dossierId')::uuid, e->>'action', e->>'outcome',
            coalesce(e->'details', '{}'::jsonb), h.prev_hash, h.hash);
  end loop;
end $$;
