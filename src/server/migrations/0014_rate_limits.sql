-- Rate-limit counters shared by every node (platform/rate-limit.ts): one row per limit and
-- caller, its hits in the current window and when that window ends. The key is a hash: no
-- address, session or account identifier is stored. Unlogged: a counter needs no crash safety
-- (a crash or a failover resets the windows) and costs no WAL on every request it counts.
create unlogged table rate_limits (
  key text primary key,
  hits integer not null,
  resets_at timestamptz not null
) with (fillfactor = 70);
