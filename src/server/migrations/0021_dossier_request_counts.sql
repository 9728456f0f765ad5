-- The lists (« Dossiers », « Tous mes médecins ») show of each dossier its status and the count of
-- its requests under way: counted once here, at each change of a request, rather than at each
-- listing of a thousand dossiers (one index probe of dossier_requests per row). The requests stay
-- the one truth: these counts are kept by the database itself, in the transaction that changes a
-- request, and a dossier's page still reads its requests.
alter table dossiers
  add column open_requests integer not null default 0,  -- not cancelled (dossierStatus: « envoyé »)
  add column sent_requests integer not null default 0;  -- « envoyée », awaiting an answer

update dossiers d
   set open_requests = c.open, sent_requests = c.sent
  from (select dossier_id,
               count(*) filter (where status <> 'annulee') as open,
               count(*) filter (where status = 'envoyee') as sent
          from dossier_requests group by dossier_id) c
 where c.dossier_id = d.id;

create function dossier_request_counts() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    update dossiers
       set open_requests = open_requests - (old.status <> 'annulee')::int,
           sent_requests = sent_requests - (old.status = 'envoyee')::int
     where id = old.dossier_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    update dossiers
       set open_requests = open_requests + (new.status <> 'annulee')::int,
           sent_requests = sent_requests + (new.status = 'envoyee')::int
     where id = new.dossier_id;
  end if;
  return null;
end $$;

create trigger dossier_request_counts
  after insert or delete or update of status, dossier_id on dossier_requests
  for each row execute function dossier_request_counts();
